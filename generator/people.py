"""The population: people with names, contacts, addresses and the families that make matching hard.

Each chunk of people is built independently from its own random stream. Households, twins, namesakes and
shared family emails are all formed inside a chunk, so the hard negatives they create are known exactly.
Email addresses and phone numbers carry a number drawn from a keyed permutation of the person's global
index, which makes them unique across the whole population without any coordination between chunks.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Generic, TypeVar

from pypinyin import Style, lazy_pinyin

from generator import data
from generator.config import MAX_PEOPLE
from generator.ids import Permutation

T = TypeVar("T")

COUNTRY_WEIGHTS = (("CN", 55.0), ("GB", 20.0), ("US", 20.0), ("OTHER", 5.0))
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(slots=True)
class Address:
    """Where a person lives, in parts, so each source can write it its own way."""

    country: str
    city: str
    city_native: str | None
    district: str | None
    district_native: str | None
    number: int
    street: str
    street_native: str | None
    street_base: str | None
    street_type_native: str | None
    unit: str | None
    building: int | None
    room: int | None
    postcode: str | None
    store_id: str | None

    def clean_line(self) -> str:
        """The address line in its plainest English (or pinyin) form, for the truth tables."""
        if self.country == "CN":
            return f"{self.number} {self.street}, Building {self.building}, Room {self.room}"
        unit = f", {self.unit}" if self.unit else ""
        if self.country in {"DE", "FR"}:
            return (
                f"{self.street} {self.number}{unit}"
                if self.country == "DE"
                else f"{self.number} {self.street}"
            )
        return f"{self.number} {self.street}{unit}"


@dataclass(slots=True)
class Person:
    """One real person of the population (the hidden truth behind the source records)."""

    index: int
    person_id: str
    country: str
    gender: str
    birth: dt.date
    family: str
    given: str
    given_syllables: tuple[str, ...]
    family_native: str | None
    given_native: str | None
    english_name: str | None
    emails: list[str]
    mobiles: list[str]
    landline: str | None
    addresses: list[tuple[int, Address]]
    household_id: str | None = None
    twin_of: str | None = None
    namesake_group: str | None = None
    shared_email: str | None = None
    stage: str = "prospect"
    spend_cny: float = 200.0
    loyalty_member: bool = False
    moved_on: int | None = None

    @property
    def chinese(self) -> bool:
        """Whether the person has a Hanzi name."""
        return self.family_native is not None

    def address_on(self, day: int) -> Address:
        """The address the person lived at on day ``day`` of the period."""
        current = self.addresses[0][1]
        for start, address in self.addresses:
            if start <= day:
                current = address
        return current

    @property
    def phones(self) -> list[str]:
        """Every phone number of the person (E.164), mobiles first."""
        return [*self.mobiles, *([self.landline] if self.landline else [])]


@dataclass(frozen=True)
class HardNegative:
    """Two different people who look alike for a stated reason."""

    person_a: str
    person_b: str
    kind: str


class Weighted(Generic[T]):
    """A reusable weighted choice over a fixed list of values (cumulative weights computed once)."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values = [value for value, _ in pairs]
        self.cum = list(accumulate(weight for _, weight in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        """One value, drawn with the weights."""
        return self.values[bisect_right(self.cum, rng.random() * self.total)]


class Uniques:
    """Population-wide unique numbers for email addresses and phone numbers."""

    def __init__(self, seed: int, people: int) -> None:
        if people > MAX_PEOPLE:
            raise ValueError(f"At most {MAX_PEOPLE:,} people can be generated, got {people:,}")
        self.email_width = max(4, len(str(4 * people)))
        self._seed = seed
        self._email = Permutation(f"{seed}:email", 10**self.email_width)
        self._phones: dict[tuple[str, int], Permutation] = {}

    def email_number(self, index: int, slot: int) -> int:
        """A number unique to (person, email slot)."""
        return self._email(index * 4 + slot)

    def phone_number(self, space: str, size: int, index: int) -> int:
        """A number unique within a numbering space (a country's mobiles, a city's landlines, ...)."""
        permutation = self._phones.get((space, size))
        if permutation is None:
            permutation = self._phones[(space, size)] = Permutation(f"{self._seed}:phone:{space}", size)
        return permutation(index)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters only: 'Lefèvre' -> 'lefevre', "O'Brien" -> 'obrien'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalpha()).lower()


@lru_cache(maxsize=4096)
def pinyin_syllables(hanzi: str, surname: bool = False) -> tuple[str, ...]:
    """The tone-less pinyin syllables of a Hanzi name part (surname readings where they differ)."""
    if surname and hanzi in data.CN_SURNAME_PINYIN:
        return (data.CN_SURNAME_PINYIN[hanzi],)
    return tuple(s for s in lazy_pinyin(hanzi, style=Style.NORMAL) if s.isalpha())


class PopulationBuilder:
    """Builds the people of one chunk: units (singles, households, twins, namesakes) filled with people."""

    def __init__(
        self,
        rng: random.Random,
        uniques: Uniques,
        first_index: int,
        count: int,
        start: dt.date,
        days: int,
        countries: tuple[tuple[str, float], ...] | None = None,
    ) -> None:
        self.rng = rng
        self.fixed_countries = countries is not None
        self.uniques = uniques
        self.first_index = first_index
        self.count = count
        self.start = start
        self.days = days
        self.as_of = start + dt.timedelta(days=days - 1)
        self.people: list[Person] = []
        self.negatives: list[HardNegative] = []
        self._countries = Weighted(list(countries) if countries else COUNTRY_WEIGHTS)
        self._others = Weighted([(place, place[4]) for place in data.OTHER_PLACES])
        self._cn_surnames = Weighted(data.CN_SURNAMES)
        self._cn_common = {
            g: Weighted([(n, w) for n, s, w in data.CN_COMMON_GIVEN if s == g]) for g in ("M", "F")
        }
        self._western_given = {"M": Weighted(data.WESTERN_FIRST_M), "F": Weighted(data.WESTERN_FIRST_F)}
        self._western_last = Weighted(data.WESTERN_SURNAMES)
        self._first_by_country = {
            "DE": {"M": Weighted(data.DE_FIRST_M), "F": Weighted(data.DE_FIRST_F)},
            "FR": {"M": Weighted(data.FR_FIRST_M), "F": Weighted(data.FR_FIRST_F)},
        }
        self._last_by_country = {
            "DE": Weighted(data.DE_SURNAMES),
            "FR": Weighted(data.FR_SURNAMES),
            "HK": Weighted(data.HK_SURNAMES),
            "SG": Weighted(data.SG_SURNAMES),
        }
        self._cn_cities = Weighted([(c, c[5]) for c in data.CN_CITIES])
        self._gb_cities = Weighted([(c, c[3]) for c in data.GB_CITIES])
        self._us_cities = Weighted([(c, c[4]) for c in data.US_CITIES])
        self._domains = {k: Weighted(v) for k, v in data.PERSONAL_EMAIL_DOMAINS.items()}
        self._households = 0
        self._namesakes = 0

    # --- units --------------------------------------------------------------------------------------

    def build(self) -> tuple[list[Person], list[HardNegative]]:
        """Fill the chunk with people; returns them (in index order) and their hard-negative pairs."""
        rng = self.rng
        n = self.count
        units: list[str] = []
        if n >= 50:
            units += ["twins"] * max(1, round(n * 0.004))
            units += ["namesakes"] * max(1, round(n * 0.003))
        in_households = sum(2.4 for u in units if u == "twins")
        while in_households < n * 0.09:
            units.append("household")
            in_households += 2.45
        rng.shuffle(units)
        pending = list(units)
        while len(self.people) < n:
            remaining = n - len(self.people)
            # Special units are spread over the chunk rather than bunched at its start.
            if pending and rng.random() < len(pending) / max(1.0, remaining * 0.6):
                kind = pending.pop()
                if kind == "twins" and remaining >= 3:
                    self._twins_household()
                    continue
                if kind == "namesakes" and remaining >= 2:
                    self._namesakes_pair()
                    continue
                if kind == "household" and remaining >= 2:
                    self._household(min(remaining, _HOUSEHOLD_SIZES.pick(rng)))
                    continue
            self._single()
        self._moves()
        return self.people, self.negatives

    def _single(self) -> Person:
        country = self._country()
        gender = self._gender()
        person = self._person(country, gender, self._birth(18, 85), None, self._address(country))
        self._contacts(person)
        return person

    def _household(self, size: int) -> None:
        rng = self.rng
        country = self._country()
        address = self._address(country)
        household = self._household_id()
        head_gender = self._gender()
        head = self._person(country, head_gender, self._birth(45 if size > 2 else 24, 80), None, address)
        partner_gender = "F" if head_gender == "M" else "M"
        shares_surname = country != "CN" and rng.random() < 0.7
        partner_birth = self._near(head.birth, 6)
        partner = self._person(
            country, partner_gender, partner_birth, head if shares_surname else None, address
        )
        members = [head, partner]
        father = head if head_gender == "M" else partner
        for _ in range(size - 2):
            child_birth = self._birth(18, max(18, min(_age(head.birth, self.as_of), 60) - 22))
            members.append(self._person(country, self._gender(), child_birth, father, address))
        self._join(members, household)
        if rng.random() < 0.35:
            self._share_email(head, partner)

    def _twins_household(self) -> None:
        rng = self.rng
        country = self._country()
        address = self._address(country)
        household = self._household_id()
        first = self._person(country, self._gender(), self._birth(18, 45), None, address)
        second = self._person(country, self._gender(), first.birth, first, address)
        while second.given == first.given or (first.chinese and second.given_native == first.given_native):
            second = self._replace_given(second)
        second.twin_of = first.person_id
        first.twin_of = second.person_id
        members = [first, second]
        if rng.random() < 0.4 and len(self.people) < self.count:
            parent_birth = self._near(first.birth - dt.timedelta(days=365 * 28), 6)
            members.append(self._person(country, self._gender(), parent_birth, first, address))
        self._join(members, household)
        self.negatives.append(HardNegative(first.person_id, second.person_id, "twin"))
        if rng.random() < 0.3:
            self._share_email(first, second)

    def _namesakes_pair(self) -> None:
        country = self._country() if self.fixed_countries else self.rng.choice(("CN", "CN", "GB", "US"))
        gender = self._gender()
        first = self._person(country, gender, self._birth(20, 70), None, self._address(country))
        self._contacts(first)
        group = f"N{self.first_index + self._namesakes:07d}"
        self._namesakes += 1
        other_address = self._address(country)
        while other_address.city == first.addresses[0][1].city:
            other_address = self._address(country)
        second = self._person(country, gender, first.birth, first, other_address, same_given=True)
        self._contacts(second)
        first.namesake_group = group
        second.namesake_group = group
        self.negatives.append(HardNegative(first.person_id, second.person_id, "namesake"))

    def _join(self, members: list[Person], household: str) -> None:
        landline = self._landline(members[0])
        for member in members:
            member.household_id = household
            member.landline = landline
            self._contacts(member)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                self.negatives.append(HardNegative(a.person_id, b.person_id, "household"))

    def _share_email(self, a: Person, b: Person) -> None:
        family = ascii_fold(a.family) or "family"
        number = self.uniques.email_number(a.index, 3)
        local = self.rng.choice(
            (f"{family}family{number}", f"the{family}s{number}", f"{family}.home{number}")
        )
        email = f"{local}@{self._domain(a.country)}"
        for member in (a, b):
            member.shared_email = email
            member.emails.append(email)
        self.negatives.append(HardNegative(a.person_id, b.person_id, "shared_email"))

    def _household_id(self) -> str:
        self._households += 1
        return f"H{self.first_index + self._households:07d}"

    # --- people -------------------------------------------------------------------------------------

    def _person(
        self,
        country: str,
        gender: str,
        birth: dt.date,
        relative: Person | None,
        address: Address,
        same_given: bool = False,
    ) -> Person:
        """A new person; ``relative`` passes on the family name (and the given name for namesakes)."""
        rng = self.rng
        index = self.first_index + len(self.people)
        family_native: str | None = None
        given_native: str | None = None
        syllables: tuple[str, ...] = ()
        english: str | None = None
        if country == "CN":
            family_native = relative.family_native if relative else str(self._cn_surnames.pick(rng))
            assert family_native is not None
            if same_given and relative and relative.given_native:
                given_native = relative.given_native
            else:
                given_native = self._cn_given(gender)
            family = "".join(s.capitalize() for s in pinyin_syllables(family_native, surname=True))
            syllables = tuple(pinyin_syllables(given_native))
            given = "".join(syllables).capitalize()
            if rng.random() < 0.2:
                pool = data.CN_ENGLISH_NAMES_M if gender == "M" else data.CN_ENGLISH_NAMES_F
                english = rng.choice(pool)
        else:
            family = relative.family if relative else self._western_surname(country)
            given = relative.given if same_given and relative else self._western_first(country, gender)
        person = Person(
            index=index,
            person_id=f"P{index:07d}",
            country=country,
            gender=gender,
            birth=birth,
            family=family,
            given=given,
            given_syllables=syllables,
            family_native=family_native,
            given_native=given_native,
            english_name=english,
            emails=[],
            mobiles=[],
            landline=None,
            addresses=[(0, address)],
        )
        self.people.append(person)
        return person

    def _replace_given(self, person: Person) -> Person:
        if person.country == "CN":
            person.given_native = self._cn_given(person.gender)
            person.given_syllables = tuple(pinyin_syllables(person.given_native))
            person.given = "".join(person.given_syllables).capitalize()
        else:
            person.given = self._western_first(person.country, person.gender)
        return person

    def _cn_given(self, gender: str) -> str:
        rng = self.rng
        if rng.random() < 0.35:
            return str(self._cn_common[gender].pick(rng))
        pool = data.CN_GIVEN_CHARS_M if gender == "M" else data.CN_GIVEN_CHARS_F
        if rng.random() < 0.25:
            return rng.choice(pool)
        return rng.choice(pool) + rng.choice(pool)

    def _western_first(self, country: str, gender: str) -> str:
        table = self._first_by_country.get(country, self._western_given)
        return str(table[gender].pick(self.rng))

    def _western_surname(self, country: str) -> str:
        return str(self._last_by_country.get(country, self._western_last).pick(self.rng))

    def _contacts(self, person: Person) -> None:
        """Email addresses and mobile numbers, unique across the population."""
        rng = self.rng
        person.emails.append(self._personal_email(person, 0))
        if rng.random() < 0.3:
            person.emails.append(self._personal_email(person, 1))
        if rng.random() < 0.25 and _age(person.birth, self.as_of) < 65:
            first = ascii_fold(person.english_name or person.given) or "staff"
            last = ascii_fold(person.family) or "x"
            number = self.uniques.email_number(person.index, 2)
            local = rng.choice(
                (f"{first}.{last}{number}", f"{first[0]}{last}{number}", f"{last}.{first}{number}")
            )
            person.emails.append(f"{local}@{rng.choice(data.WORK_EMAIL_DOMAINS)}")
        person.mobiles.append(self._mobile(person, 0))
        if rng.random() < 0.15:
            person.mobiles.append(self._mobile(person, 1))

    def _personal_email(self, person: Person, slot: int) -> str:
        rng = self.rng
        number = self.uniques.email_number(person.index, slot)
        domain = self._domain(person.country)
        first = ascii_fold(person.given) or "user"
        last = ascii_fold(person.family) or "x"
        if person.chinese:
            initials = "".join(s[0] for s in person.given_syllables) or first[0]
            if domain == "qq.com" and rng.random() < 0.6:
                # A QQ number: any leading digits, then the fixed-width unique part.
                return f"{rng.randint(1, 99_999)}{number:0{self.uniques.email_width}d}@qq.com"
            patterns: tuple[str, ...] = (
                f"{last}{first}{number}",
                f"{first}.{last}{number}",
                f"{last}_{initials}{number}",
            )
        else:
            patterns = (
                f"{first}.{last}{number}",
                f"{first}{last}{number}",
                f"{first[0]}{last}{number}",
                f"{first}_{last}{number}",
                f"{last}.{first}{number}",
                f"{first}{number}",
            )
        return f"{rng.choice(patterns)}@{domain}"

    def _domain(self, country: str) -> str:
        table = self._domains.get(country, self._domains["OTHER"])
        return str(table.pick(self.rng))

    def _mobile(self, person: Person, slot: int) -> str:
        rng = self.rng
        country = person.country
        index = person.index * 2 + slot
        if country in {"US", "CA"}:
            area = rng.choice(_area_codes(country, person.addresses[0][1].city))
            unique = self.uniques.phone_number("nanp", 8_000_000, person.index * 3 + slot)
            return f"+1{area}{200 + unique // 10_000}{unique % 10_000:04d}"
        prefix = rng.choice(data.MOBILE_PREFIXES[country])
        if country == "CN":
            return f"+86{prefix}{self.uniques.phone_number('CN', 10**8, index):08d}"
        if country == "GB":
            return f"+447{prefix[1]}{self.uniques.phone_number('GB', 10**8, index):08d}"
        if country in {"HK", "SG"}:
            code = "852" if country == "HK" else "65"
            return f"+{code}{prefix}{self.uniques.phone_number(country, 10**7, index):07d}"
        if country == "DE":
            return f"+49{prefix}{self.uniques.phone_number('DE', 10**8, index):08d}"
        if country == "FR":
            return f"+33{prefix}{self.uniques.phone_number('FR', 10**8, index):08d}"
        return f"+61{prefix}{self.uniques.phone_number('AU', 10**8, index):08d}"

    def _landline(self, head: Person) -> str:
        address = head.addresses[0][1]
        country = head.country
        if country == "CN":
            area = next(c[4] for c in data.CN_CITIES if c[1] == address.city)
            unique = self.uniques.phone_number(f"landline:{area}", 10**7, head.index)
            return f"+86{area}{self.rng.choice('2345678')}{unique:07d}"
        if country == "GB":
            area = next(c[2] for c in data.GB_CITIES if c[0] == address.city)
            digits = 10 - len(area)
            unique = self.uniques.phone_number(f"landline:{area}", 10 ** (digits - 1), head.index)
            lead = self.rng.choice("378") if area == "20" else self.rng.choice("2345")
            return f"+44{area}{lead}{unique:0{digits - 1}d}"
        if country in {"US", "CA"}:
            area = self.rng.choice(_area_codes(country, address.city))
            unique = self.uniques.phone_number("nanp", 8_000_000, head.index * 3 + 2)
            return f"+1{area}{200 + unique // 10_000}{unique % 10_000:04d}"
        return self._mobile(head, 1)

    def _moves(self) -> None:
        """About one person in ten moves during the period; a household moves together."""
        if self.days < 120:
            return
        rng = self.rng
        groups: dict[str, list[Person]] = {}
        for person in self.people:
            groups.setdefault(person.household_id or person.person_id, []).append(person)
        for members in groups.values():
            if rng.random() >= 0.10:
                continue
            day = rng.randint(60, self.days - 30)
            old = members[0].addresses[0][1]
            new = self._address(old.country)
            for member in members:
                member.addresses.append((day, new))
                member.moved_on = day

    # --- attributes ---------------------------------------------------------------------------------

    def _country(self) -> str:
        country = str(self._countries.pick(self.rng))
        if country == "OTHER":
            return self._others.pick(self.rng)[0]
        return country

    def _gender(self) -> str:
        return "F" if self.rng.random() < 0.52 else "M"

    def _birth(self, min_age: int, max_age: int) -> dt.date:
        rng = self.rng
        # Customers cluster in their late twenties to forties.
        age = min(
            max_age, max(min_age, int(rng.triangular(min_age, max_age, min(max(min_age, 34), max_age))))
        )
        return self.as_of - dt.timedelta(days=int(age * 365.25) + rng.randint(1, 364))

    def _near(self, birth: dt.date, years: int) -> dt.date:
        shifted = birth + dt.timedelta(days=self.rng.randint(-365 * years, 365 * years))
        limit = self.as_of - dt.timedelta(days=365 * 18 + 5)
        return min(shifted, limit)

    def _address(self, country: str) -> Address:
        rng = self.rng
        number = rng.randint(1, 399)
        if country == "CN":
            city = self._cn_cities.pick(rng)
            district_native, district = rng.choice(city[3])
            base_native, base, kind = rng.choice(data.CN_STREETS)
            building = rng.randint(1, 30)
            room = rng.randint(1, 32) * 100 + rng.randint(1, 8)
            store = next((s for s, c in data.STORES if c == city[1]), None)
            return Address(
                country=country,
                city=city[1],
                city_native=city[0],
                district=district,
                district_native=district_native,
                number=rng.randint(1, 1999),
                street=f"{base} {data.CN_STREET_TYPES[kind][0]}",
                street_native=f"{base_native}{kind}",
                street_base=base,
                street_type_native=kind,
                unit=None,
                building=building,
                room=room,
                postcode=f"{city[2]}{rng.randint(0, 999):03d}",
                store_id=store,
            )
        if country == "GB":
            town = self._gb_cities.pick(rng)
            inward = f"{rng.randint(0, 9)}{rng.choice(_POSTCODE_LETTERS)}{rng.choice(_POSTCODE_LETTERS)}"
            unit = f"Flat {rng.randint(1, 24)}" if rng.random() < 0.35 else None
            return _western(
                country, town[0], number, rng.choice(data.GB_STREETS), unit, f"{rng.choice(town[1])} {inward}"
            )
        if country == "US":
            metro = self._us_cities.pick(rng)
            unit = f"Apartment {rng.randint(1, 30)}{rng.choice('ABCD')}" if rng.random() < 0.4 else None
            postcode = f"{rng.choice(metro[2])}{rng.randint(1, 99):02d}"
            return _western(
                country, metro[0], rng.randint(10, 9999), rng.choice(data.US_STREETS), unit, postcode
            )
        places = [p for p in data.OTHER_PLACES if p[0] == country]
        place = rng.choice(places)
        unit = f"Apartment {rng.randint(1, 40)}" if rng.random() < 0.3 else None
        postcode = "".join(
            str(rng.randint(0, 9)) if c == "9" else rng.choice(_POSTCODE_LETTERS) if c == "A" else c
            for c in place[2]
        )
        return _western(country, place[1], number, rng.choice(place[3]), unit, postcode or None)


_HOUSEHOLD_SIZES = Weighted([(2, 65.0), (3, 25.0), (4, 10.0)])


def _western(
    country: str, city: str, number: int, street: str, unit: str | None, postcode: str | None
) -> Address:
    return Address(
        country=country,
        city=city,
        city_native=None,
        district=None,
        district_native=None,
        number=number,
        street=street,
        street_native=None,
        street_base=None,
        street_type_native=None,
        unit=unit,
        building=None,
        room=None,
        postcode=postcode,
        store_id=None,
    )


def _area_codes(country: str, city: str) -> tuple[str, ...]:
    if country == "CA":
        return ("416", "647") if city == "Toronto" else ("604", "778")
    for name, _, _, areas, _ in data.US_CITIES:
        if name == city:
            return areas
    return ("212",)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def lognormal_spend(rng: random.Random) -> float:
    """A person's typical order value in CNY: most spend a few hundred, a few spend thousands."""
    return min(6000.0, max(30.0, math.exp(rng.gauss(math.log(230.0), 0.55))))
