"""Small hand-written landing batches covering every feed, for silver and identity tests."""

from __future__ import annotations

import json
from pathlib import Path

from schemas.landing import (
    CRM_CONTACTS,
    EMAIL_ENGAGEMENT,
    LOYALTY_MEMBERS,
    NPS_SURVEYS,
    ORDERS_POS,
    SUPPORT_TICKETS,
)

DAY1, DAY2 = "2025-03-01", "2025-03-02"


def write_csv(root: Path, channel: str, day: str, name: str, header: list[str], lines: list[str]) -> Path:
    folder = root / channel / day
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(("\n".join([",".join(header), *lines]) + "\n").encode())
    return path


def write_jsonl(root: Path, channel: str, day: str, name: str, records: list[dict[str, object]]) -> Path:
    folder = root / channel / day
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def write_sample_landing(root: Path) -> None:
    """One small, clean batch per feed (and a second CRM batch that updates a contact)."""
    write_csv(root, "crm_contacts", DAY1, "crm-1.csv", CRM_CONTACTS.column_names, [
        "C1,Robert,Smith,,M,1980-02-03, Bob.Smith@Outlook.com ,+44 7700 900123,12 High St.,London,sw1a1aa,GB,true,false,"
        "2025-03-01 09:00:00,2025-03-01 09:00:00",
        "C2,,,王小明,M,1990-05-17,xiaoming@qq.com,+86 138 0013 8000,88 Nanjing Rd,上海,200001,CN,false,true,"
        "2025-03-01 10:00:00,2025-03-01 10:00:00",
    ])  # fmt: skip
    write_csv(root, "crm_contacts", DAY2, "crm-2.csv", CRM_CONTACTS.column_names, [
        "C1,Robert,Smith,,M,1980-02-03,bob.smith@outlook.com,0044 7700 900123,1 New Road,Leeds,LS1 1AA,GB,false,false,"
        "2025-03-01 09:00:00,2025-03-02 08:00:00",
    ])  # fmt: skip
    write_jsonl(root, "shop_accounts", DAY1, "shop-1.jsonl", [
        {"account_id": "A1", "email": "bob.smith+shop@outlook.com", "phone": "+44 7700 900123", "nickname": "bob",
         "first_name": "Bob", "last_name": "Smith", "device_ids": ["D1", "D2"], "country_code": "GB",
         "marketing_opt_in": True, "created_at": "2025-03-01T08:00:00Z", "updated_at": "2025-03-01T08:00:00Z"},
    ])  # fmt: skip
    write_jsonl(root, "orders", DAY1, "online-1.jsonl", [
        {"order_id": "O1", "account_id": "A1", "loyalty_card": "6222 0000 1111", "channel": "app", "device_id": "D1",
         "ordered_at": "2025-03-01T09:30:00+00:00", "status": "partially_refunded", "currency": "GBP",
         "total_amount": 100.00, "refund_amount": 20.00,
         "items": [{"sku": "S1", "category": "shoes", "quantity": 1, "unit_price": 30.0},
                   {"sku": "S2", "category": "apparel", "quantity": 2, "unit_price": 35.0}]},
        {"order_id": "O2", "guest_email": "XIAOMING@qq.com", "guest_phone": "13800138000", "channel": "web",
         "device_id": "D9",
         "ordered_at": "2025-03-01T23:30:00+08:00", "status": "cancelled", "currency": "CNY", "total_amount": 50.00,
         "items": [{"sku": "S3", "category": "beauty", "quantity": 1, "unit_price": 50.0}]},
    ])  # fmt: skip
    write_csv(root, "orders", DAY1, "pos-1.csv", ORDERS_POS.column_names, [
        "R1,ST01,,138-0013-8000,2025-03-01 12:00:00,completed,CNY,88.00,,2,grocery,alipay",
        "R2,ST01,6222-0000-1111,,2025-03-01 13:00:00,refunded,CNY,10.00,10.00,1,home,card",
    ])  # fmt: skip
    write_jsonl(root, "web_app_events", DAY1, "web-1.jsonl", [
        {"event_id": "E1", "event_type": "login", "occurred_at": "2025-03-01T09:00:00.000Z", "anonymous_id": "X1",
         "device_id": "D3", "account_id": "A1", "session_id": "S1", "platform": "ios"},
        {"event_id": "E2", "event_type": "page_view", "occurred_at": "2025-03-01T09:01:00.000Z", "anonymous_id": "X1",
         "device_id": "D3", "session_id": "S1", "platform": "ios", "page": "/home"},
    ])  # fmt: skip
    write_csv(root, "support_tickets", DAY1, "tickets-1.csv", SUPPORT_TICKETS.column_names, [
        "T1,Bob Smith,bob.smith@outlook.com,,01/03/2025 10:00,01/03/2025 11:00,open,high,delivery,email,,O1",
    ])  # fmt: skip
    write_csv(root, "email_engagement", DAY1, "email-1.csv", EMAIL_ENGAGEMENT.column_names, [
        "M1,Bob.Smith@outlook.com,CMP1,click,2025-03-01T10:00:00Z,https://shop.example/x",
    ])  # fmt: skip
    write_csv(root, "nps_surveys", DAY1, "nps-1.csv", NPS_SURVEYS.column_names, [
        "N1,C2,xiaoming@qq.com,10,,2025-03-01T11:00:00Z,email",
        "N2,,someone.else@163.com,3,,2025-03-01T11:00:00Z,email",
    ])  # fmt: skip
    write_csv(root, "loyalty_members", DAY1, "loyalty-1.csv", LOYALTY_MEMBERS.column_names, [
        "M100,6222000011 11,王小明,13800138000,,1990/05/17,gold,1200,active,2025/01/01 10:00:00,2025/03/01 10:00:00",
    ])  # fmt: skip
