"""Normalisation of names, emails, phones and addresses for the silver layer and identity matching.

Pure, deterministic, thread-safe functions over single values, fast enough to call per distinct value from
Spark (``mapInArrow``): no Spark, no I/O, no network. Every function is total: whatever it is given (``None``,
empty, huge or garbage text, a number), it returns a result, with ``valid=False`` and a reason code when the
value is unusable.

Example:
    >>> from normalise import normalise_email, normalise_name, normalise_phone
    >>> normalise_email(" Bob.Smith+shop@GMAIL.com ").match_key
    'bobsmith@gmail.com'
    >>> normalise_phone("138-0013-8000", "CN").e164
    '+8613800138000'
    >>> normalise_name(full_name="WANG Xiaoming").full
    'wang xiaoming'
"""

from normalise.addresses import AddressResult, normalise_address
from normalise.countries import country_code
from normalise.data.nicknames import NICKNAMES
from normalise.data.surnames import CHINESE_SURNAMES_PINYIN
from normalise.emails import EmailResult, normalise_email
from normalise.names import NameResult, normalise_name
from normalise.phones import PhoneResult, normalise_phone
from normalise.text import normalise_text

__all__ = [
    "CHINESE_SURNAMES_PINYIN",
    "NICKNAMES",
    "AddressResult",
    "EmailResult",
    "NameResult",
    "PhoneResult",
    "country_code",
    "normalise_address",
    "normalise_email",
    "normalise_name",
    "normalise_phone",
    "normalise_text",
]
