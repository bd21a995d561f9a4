"""normalise_address: street lines of GB/US/CN and others, house numbers, cities, postcodes, countries."""

from __future__ import annotations

import pytest

from normalise import AddressResult, country_code, normalise_address


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            ("Flat 3, 12 High St.", "London", "sw1a1aa", "UK"),
            AddressResult("apartment 3 12 high street", "12", "london", "SW1A 1AA", True, "GB", True, None),
        ),
        (
            ("221B Baker Street", "LONDON", "NW1 6XE", "GB"),
            AddressResult("221b baker street", "221b", "london", "NW1 6XE", True, "GB", True, None),
        ),
        (
            ("12 St John's Rd", "St. Albans", "al1 1aa", "United Kingdom"),
            AddressResult("12 saint johns road", "12", "st albans", "AL1 1AA", True, "GB", True, None),
        ),
        (
            ("123 N Main St Apt 4B", "San Francisco", "94105-1234", "USA"),
            AddressResult(
                "123 north main street apartment 4b", "123", "san francisco", "94105", True, "US", True, None
            ),
        ),
        (
            ("1600 Pennsylvania Ave. NW", "Washington", "20500", "United States"),
            AddressResult("1600 pennsylvania avenue northwest", "1600", "washington", "20500", True, "US", True, None),
        ),
        (
            ("12 Main St, #5", "Springfield", "62701 1234", "U.S.A."),
            AddressResult("12 main street apartment 5", "12", "springfield", "62701", True, "US", True, None),
        ),
        (
            ("上海市浦东新区世纪大道１００号２栋１５０１室", "上海市", "２００１２０", "中国"),
            AddressResult("上海市浦东新区世纪大道100号2栋1501室", "100", "shanghai", "200120", True, "CN", True, None),
        ),
        (
            ("浦东新区 世纪大道 100号，2栋", "上海", "200120", "China"),
            AddressResult("浦东新区世纪大道100号2栋", "100", "shanghai", "200120", True, "CN", True, None),
        ),
        (
            ("Room 1501, Building 3, No. 100 Century Rd, Pudong District", "Shanghai Shi", "200120", "PRC"),
            AddressResult(
                "room 1501 building 3 100 century road pudong district", "100", "shanghai", "200120", True, "CN",
                True, None,
            ),
        ),
        (
            ("No.100 Shiji Dadao 3-1501", "SHANGHAI", "20012", "cn"),
            AddressResult("100 shiji avenue 3-1501", "100", "shanghai", "20012", False, "CN", True, None),
        ),
        (
            ("Hauptstr. 5", "München", "80331", "Germany"),
            AddressResult("hauptstrasse 5", "5", "munchen", "80331", True, "DE", True, None),
        ),
        (
            ("10 Rue de l'Église", "Paris", "75001", "FR"),
            AddressResult("10 rue de leglise", "10", "paris", "75001", True, "FR", True, None),
        ),
        (
            ("100 Queen St W", "Toronto", "m5h 2n2", "Canada"),
            AddressResult("100 queen street west", "100", "toronto", "M5H2N2", True, "CA", True, None),
        ),
        (
            ("1 Raffles Place #20-01", "Singapore", "048616", "SG"),
            AddressResult("1 raffles place apartment 20-01", "1", "singapore", "048616", True, "SG", True, None),
        ),
        (
            ("Unit 5, 10 Queen's Rd Central", "Hong Kong", None, "香港"),
            AddressResult("unit 5 10 queens road central", "10", "hong kong", None, False, "HK", True, None),
        ),
    ],
)  # fmt: skip
def test_addresses(raw: tuple[str | None, ...], expected: AddressResult) -> None:
    assert normalise_address(*raw) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("12 Elm Rd", "12 elm road"),
        ("12 Elm Rd.", "12 elm road"),
        ("5 Oak Ave", "5 oak avenue"),
        ("5 Oak Av.", "5 oak avenue"),
        ("Apt 5, 1 Elm St", "apartment 5 1 elm street"),
        ("Apt #5", "apartment 5"),
        ("Bldg 7 Fl 3", "building 7 floor 3"),
        ("Ste 200, 1 Park Pl", "suite 200 1 park place"),
        ("9 Park Dr", "9 park drive"),
        ("3 Mill Ln", "3 mill lane"),
        ("1 Sunset Blvd", "1 sunset boulevard"),
        ("4 Kings Ct", "4 kings court"),
        ("8 Union Sq", "8 union square"),
        ("2 Moon Cres", "2 moon crescent"),
        ("10 N. Main Street", "10 north main street"),
        ("St Mary's Rd", "saint marys road"),
        ("Flat E, 1 Elm St", "apartment e 1 elm street"),
        ("No. 12 Nanjing Rd", "12 nanjing road"),
        ("№ 12 Nanjing Rd", "12 nanjing road"),
        ("n° 12 rue Victor Hugo", "12 rue victor hugo"),
        ("12-14 High St", "12-14 high street"),
        ("Baker Street", "baker street"),
    ],
)
def test_line_abbreviations(line: str, expected: str) -> None:
    assert normalise_address(line, None, None, "US").line == expected


@pytest.mark.parametrize(
    ("line", "house_number"),
    [
        ("Flat 3, 12 High St.", "12"),
        ("12A High St", "12a"),
        ("Apt 4, 55 Elm Rd", "55"),
        ("Suite 200, 1 Park Pl", "1"),
        ("上海市浦东新区世纪大道100号2栋1501室", "100"),
        ("Room 1501, Building 3, No. 100 Century Road", "100"),
        ("Unit 5", "5"),
        ("Baker Street", None),
    ],
)
def test_house_number(line: str, house_number: str | None) -> None:
    assert normalise_address(line, None, None, "GB").house_number == house_number


@pytest.mark.parametrize(
    ("postcode", "country", "expected", "valid"),
    [
        ("sw1a1aa", "GB", "SW1A 1AA", True),
        (" SW1A  1AA ", "GB", "SW1A 1AA", True),
        ("ec1a-1bb", "GB", "EC1A 1BB", True),
        ("m1 1ae", "GB", "M1 1AE", True),
        ("W1D3QU", "GB", "W1D 3QU", True),
        ("12345", "GB", "12345", False),
        ("94105", "US", "94105", True),
        ("94105-1234", "US", "94105", True),
        ("941051234", "US", "94105", True),
        ("9410", "US", "9410", False),
        ("200120", "CN", "200120", True),
        ("２００１２０", "CN", "200120", True),
        ("2001200", "CN", "2001200", False),
        ("10115", "DE", "10115", True),
        ("2000", "AU", "2000", True),
        ("k1a 0b1", "CA", "K1A0B1", True),
        ("1012 ab", "NL", "1012AB", True),
        ("-", "GB", None, False),
    ],
)
def test_postcodes(postcode: str, country: str, expected: str | None, valid: bool) -> None:
    result = normalise_address(None, None, postcode, country)
    assert (result.postcode, result.postcode_valid) == (expected, valid)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("GB", "GB"),
        ("gb", "GB"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("United Kingdom", "GB"),
        ("England", "GB"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("United States of America", "US"),
        ("China", "CN"),
        ("中国", "CN"),
        ("People's Republic of China", "CN"),
        ("CHN", "CN"),
        ("Hong Kong", "HK"),
        ("Deutschland", "DE"),
        ("jp", "JP"),
        ("Narnia", None),
        ("ZZ", None),
        ("", None),
        (None, None),
    ],
)
def test_country_codes(name: str | None, code: str | None) -> None:
    assert country_code(name) == code
    assert normalise_address("1 Main St", None, None, name).country_code == code


def test_unknown_country_makes_the_address_invalid_but_keeps_it() -> None:
    assert normalise_address("1 Main St", "Springfield", "12345", "Narnia") == AddressResult(
        "1 main street", "1", "springfield", "12345", True, None, False, "UNKNOWN_COUNTRY"
    )
    assert normalise_address("1 Main St", None, None, None).reason == "UNKNOWN_COUNTRY"


@pytest.mark.parametrize("country", ["GB", None, "Narnia"])
def test_empty(country: str | None) -> None:
    code = country_code(country)
    assert normalise_address(None, "  ", "", country) == AddressResult(
        None, None, None, None, False, code, False, "EMPTY"
    )


@pytest.mark.parametrize(("city", "expected"), [("上海市", "shanghai"), ("Shanghai Shi", "shanghai"), ("北京", "beijing"),
                                                ("西安", "xian"), ("Xi'an", "xian"), ("重庆市", "chongqing"),
                                                ("Zürich", "zurich"), ("St. Albans", "st albans"), ("市", "shi")])  # fmt: skip
def test_city(city: str, expected: str) -> None:
    assert normalise_address(None, city, None, "CN").city == expected
