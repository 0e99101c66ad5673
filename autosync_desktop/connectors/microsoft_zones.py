"""Microsoft Advertising's time zone names (the `TimeZone` value set of Bing Ads API v13) and IANA zones.

An account's `TimeZone` (e.g. "EasternTimeUSCanada") decides its reporting day. AutoSync stores an account's zone
as an IANA name (`ms_to_iana`), and every report asks for that zone again (`iana_to_ms`) as `ReportTimeZone`:
without it Microsoft reports in PacificTimeUSCanadaTijuana, whatever the account's zone.

The representative IANA zone of each value follows Microsoft's own mapping for Microsoft Advertising Scripts
(learn.microsoft.com, "Time zone mapping"), except where that zone has since left the value's offset
(AstanaDhaka -> Asia/Dhaka, AthensBuckarestIstanbul -> Europe/Athens, ChihuahuaLaPazMazatlan -> America/Mazatlan).
A few more IANA names are accepted as aliases of the value whose clock they keep.
"""

from __future__ import annotations

from .base import Permanent

MS_TO_IANA: dict[str, str] = {
    "AbuDhabiMuscat": "Asia/Dubai",
    "Adelaide": "Australia/Adelaide",
    "Alaska": "America/Anchorage",
    "AlmatyNovosibirsk": "Asia/Novosibirsk",
    "AmsterdamBerlinBernRomeStockholmVienna": "Europe/Berlin",
    "Arizona": "America/Phoenix",
    "AstanaDhaka": "Asia/Dhaka",
    "AthensBuckarestIstanbul": "Europe/Athens",
    "AtlanticTimeCanada": "America/Halifax",
    "AucklandWellington": "Pacific/Auckland",
    "Azores": "Atlantic/Azores",
    "Baghdad": "Asia/Baghdad",
    "BakuTbilisiYerevan": "Asia/Baku",
    "BangkokHanoiJakarta": "Asia/Bangkok",
    "BeijingChongqingHongKongUrumqi": "Asia/Shanghai",
    "BelgradeBratislavaBudapestLjubljanaPrague": "Europe/Budapest",
    "BogotaLimaQuito": "America/Bogota",
    "Brasilia": "America/Sao_Paulo",
    "Brisbane": "Australia/Brisbane",
    "BrusselsCopenhagenMadridParis": "Europe/Paris",
    "Bucharest": "Europe/Bucharest",
    "BuenosAiresGeorgetown": "America/Argentina/Buenos_Aires",
    "Cairo": "Africa/Cairo",
    "CanberraMelbourneSydney": "Australia/Sydney",
    "CapeVerdeIsland": "Atlantic/Cape_Verde",
    "CaracasLaPaz": "America/Caracas",
    "CasablancaMonrovia": "Africa/Casablanca",
    "CentralAmerica": "America/Guatemala",
    "CentralTimeUSCanada": "America/Chicago",
    "ChennaiKolkataMumbaiNewDelhi": "Asia/Kolkata",
    "ChihuahuaLaPazMazatlan": "America/Mazatlan",
    "Darwin": "Australia/Darwin",
    "EasternTimeUSCanada": "America/New_York",
    "Ekaterinburg": "Asia/Yekaterinburg",
    "FijiKamchatkaMarshallIsland": "Pacific/Fiji",
    "Greenland": "America/Nuuk",
    "GreenwichMeanTimeDublinEdinburghLisbonLondon": "Europe/London",
    "GuadalajaraMexicoCityMonterrey": "America/Mexico_City",
    "GuamPortMoresby": "Pacific/Guam",
    "HararePretoria": "Africa/Johannesburg",
    "Hawaii": "Pacific/Honolulu",
    "HelsinkiKyivRigaSofiaTallinnVilnius": "Europe/Helsinki",
    "Hobart": "Australia/Hobart",
    "IndianaEast": "America/Indiana/Indianapolis",
    "InternationalDateLineWest": "Etc/GMT+12",
    "IrkutskUlaanBataar": "Asia/Irkutsk",
    "IslandamabadKarachiTashkent": "Asia/Karachi",
    "Jerusalem": "Asia/Jerusalem",
    "Kabul": "Asia/Kabul",
    "Kathmandu": "Asia/Kathmandu",
    "Krasnoyarsk": "Asia/Krasnoyarsk",
    "KualaLumpurSingapore": "Asia/Singapore",
    "KuwaitRiyadh": "Asia/Riyadh",
    "MidAtlantic": "Atlantic/South_Georgia",
    "MidwayIslandAndSamoa": "Pacific/Pago_Pago",
    "MoscowStPetersburgVolgograd": "Europe/Moscow",
    "MountainTimeUSCanada": "America/Denver",
    "Nairobi": "Africa/Nairobi",
    "Newfoundland": "America/St_Johns",
    "Nukualofa": "Pacific/Tongatapu",
    "OsakaSapporoTokyo": "Asia/Tokyo",
    "PacificTimeUSCanadaTijuana": "America/Los_Angeles",
    "Perth": "Australia/Perth",
    "Rangoon": "Asia/Yangon",
    "Santiago": "America/Santiago",
    "SarajevoSkopjeWarsawZagreb": "Europe/Warsaw",
    "Saskatchewan": "America/Regina",
    "Seoul": "Asia/Seoul",
    "SolomonIslandNewCaledonia": "Pacific/Guadalcanal",
    "SriJayawardenepura": "Asia/Colombo",
    "Taipei": "Asia/Taipei",
    "Tehran": "Asia/Tehran",
    "Vladivostok": "Asia/Vladivostok",
    "WestCentralAfrica": "Africa/Lagos",
    "Yakutsk": "Asia/Yakutsk",
}

# IANA names that keep the same clock as a value's representative zone.
_ALIAS_GROUPS: dict[str, tuple[str, ...]] = {
    "EasternTimeUSCanada": ("America/Toronto", "America/Detroit", "US/Eastern"),
    "CentralTimeUSCanada": ("America/Winnipeg", "US/Central"),
    "MountainTimeUSCanada": ("America/Edmonton", "US/Mountain"),
    "PacificTimeUSCanadaTijuana": ("America/Vancouver", "America/Tijuana", "US/Pacific"),
    "AmsterdamBerlinBernRomeStockholmVienna": ("Europe/Amsterdam", "Europe/Zurich", "Europe/Rome", "Europe/Stockholm",
                                               "Europe/Vienna", "Europe/Oslo"),
    "BrusselsCopenhagenMadridParis": ("Europe/Brussels", "Europe/Copenhagen", "Europe/Madrid"),
    "BelgradeBratislavaBudapestLjubljanaPrague": ("Europe/Prague", "Europe/Bratislava", "Europe/Ljubljana",
                                                  "Europe/Belgrade"),
    "SarajevoSkopjeWarsawZagreb": ("Europe/Zagreb", "Europe/Sarajevo", "Europe/Skopje"),
    "GreenwichMeanTimeDublinEdinburghLisbonLondon": ("Europe/Dublin", "Europe/Lisbon"),
    "HelsinkiKyivRigaSofiaTallinnVilnius": ("Europe/Kyiv", "Europe/Kiev", "Europe/Riga", "Europe/Sofia",
                                            "Europe/Tallinn", "Europe/Vilnius"),
    "ChennaiKolkataMumbaiNewDelhi": ("Asia/Calcutta",),
    "BeijingChongqingHongKongUrumqi": ("Asia/Hong_Kong",),
    "KualaLumpurSingapore": ("Asia/Kuala_Lumpur",),
    "BangkokHanoiJakarta": ("Asia/Jakarta", "Asia/Ho_Chi_Minh"),
    "KuwaitRiyadh": ("Asia/Kuwait",),
    "Rangoon": ("Asia/Rangoon",),
    "CanberraMelbourneSydney": ("Australia/Melbourne", "Australia/Canberra"),
    "BuenosAiresGeorgetown": ("America/Buenos_Aires",),
    "BogotaLimaQuito": ("America/Lima",),
    "Greenland": ("America/Godthab",),
    "HararePretoria": ("Africa/Harare",),
}
ALIASES: dict[str, str] = {alias: name for name, aliases in _ALIAS_GROUPS.items() for alias in aliases}

IANA_TO_MS: dict[str, str] = {**{iana: ms for ms, iana in MS_TO_IANA.items()}, **ALIASES}


def ms_to_iana(value: object) -> str:
    """The IANA zone of an account's Microsoft `TimeZone`; Permanent for a value this build does not know."""
    name = str(value or "").strip()
    try:
        return MS_TO_IANA[name]
    except KeyError:
        raise Permanent(f"Microsoft Advertising reports this account in the time zone {name!r}, which this AutoSync "
                        "does not know: update AutoSync.") from None


def iana_to_ms(zone: str) -> str:
    """The `ReportTimeZone` value for an IANA zone; Permanent when Microsoft has no zone with the same clock."""
    try:
        return IANA_TO_MS[zone]
    except KeyError:
        raise Permanent(f"Microsoft Advertising has no report time zone for {zone!r}; the account's own zone is "
                        "used when AutoSync reads it from Microsoft (remove any timezone override).") from None
