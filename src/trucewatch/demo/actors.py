"""The actors of the Astana 2017 case (public record; see docs/demo.md for sources)."""

from __future__ import annotations

from typing import Any


def _org(slug: str, org_type: str, en: str, *, country: str | None = None, ar: str = "",
         ru: str = "", tr: str = "", aliases: tuple[str, ...] = (), description: str = "",
         extra: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    return _actor(slug, "organisation", en, org_type=org_type, country=country, ar=ar, ru=ru,
                  tr=tr, aliases=aliases, description=description, extra=extra)


def _person(slug: str, en: str, *, ar: str = "", ru: str = "", tr: str = "",
            aliases: tuple[str, ...] = (), description: str = "") -> dict[str, Any]:
    return _actor(slug, "person", en, ar=ar, ru=ru, tr=tr, aliases=aliases,
                  description=description)


def _actor(slug: str, kind: str, en: str, *, org_type: str | None = None,
           country: str | None = None, ar: str = "", ru: str = "", tr: str = "",
           aliases: tuple[str, ...] = (), description: str = "",
           extra: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    names = [{"name": en, "lang": "en", "primary": True}]
    for lang, text in (("ar", ar), ("ru", ru), ("tr", tr), *extra):
        if text:
            names.append({"name": text, "lang": lang, "primary": True})
    names += [{"name": a, "lang": "en"} for a in aliases]
    return {"slug": slug, "kind": kind, "organisation_type": org_type, "country": country,
            "description": description, "names": names}


ACTORS: tuple[dict[str, Any], ...] = (
    _org("russia", "state", "Russia", country="RU", ar="روسيا", ru="Россия", tr="Rusya",
         aliases=("Russian Federation",), description="Guarantor of the truce."),
    _org("iran", "state", "Iran", country="IR", ar="إيران", ru="Иран", tr="İran",
         aliases=("Islamic Republic of Iran",), extra=(("fa", "ایران"),),
         description="Guarantor of the truce."),
    _org("turkey", "state", "Turkey", country="TR", ar="تركيا", ru="Турция", tr="Türkiye",
         aliases=("Republic of Turkey", "Türkiye"), description="Guarantor of the truce."),
    _org("russian-foreign-ministry", "state", "Ministry of Foreign Affairs of Russia",
         country="RU", ar="وزارة الخارجية الروسية",
         ru="Министерство иностранных дел Российской Федерации", tr="Rusya Dışişleri Bakanlığı",
         aliases=("Russian foreign ministry", "Russian Foreign Ministry", "MID")),
    _org("syrian-government", "state", "Government of the Syrian Arab Republic", country="SY",
         ar="حكومة الجمهورية العربية السورية", ru="Правительство Сирийской Арабской Республики",
         tr="Suriye Arap Cumhuriyeti Hükümeti",
         aliases=("Syrian government", "Syrian regime", "Syria regime", "Government of Syria"),
         description="Party to the truce."),
    _org("armed-opposition", "armed_group", "Syrian armed opposition (signatory factions)",
         country="SY", ar="فصائل المعارضة المسلحة الموقعة", ru="Вооружённая оппозиция Сирии",
         tr="Suriyeli silahlı muhalefet",
         aliases=("armed opposition", "Syrian insurgents", "rebels"),
         description="Party to the truce: the non-jihadist factions that signed on 29 December "
                     "2016 and sent a delegation to Astana."),
    _org("jaysh-al-islam", "armed_group", "Jaysh al-Islam", country="SY", ar="جيش الإسلام",
         ru="Джейш аль-Ислам", tr="Ceyşü'l-İslam", aliases=("Army of Islam",),
         description="Signatory armed-opposition faction."),
    _org("faylaq-al-sham", "armed_group", "Faylaq al-Sham", country="SY", ar="فيلق الشام",
         ru="Файлак аш-Шам", tr="Feylak el-Şam", aliases=("Sham Legion",),
         description="Signatory armed-opposition faction."),
    _org("islamic-state", "armed_group", "Islamic State", ar="الدولة الإسلامية",
         ru="Исламское государство", tr="İslam Devleti",
         aliases=("IS", "ISIS", "ISIL", "Daesh", "Islamic State group"),
         description="Excluded from the truce as a designated terrorist group."),
    _org("jabhat-fateh-al-sham", "armed_group", "Jabhat Fateh al-Sham", country="SY",
         ar="جبهة فتح الشام", ru="Джебхат Фатх аш-Шам", tr="Fetih el-Şam Cephesi",
         aliases=("JFS", "al-Nusra Front", "Jabhat al-Nusra", "Nusra Front"),
         description="Excluded from the truce as a designated terrorist group "
                     "(formerly al-Nusra)."),
    _org("hnc", "political_body", "High Negotiations Committee", country="SY",
         ar="الهيئة العليا للمفاوضات", ru="Высший комитет по переговорам",
         tr="Yüksek Müzakere Komitesi", aliases=("HNC", "High Negotiation Committee"),
         description="The main Syrian opposition umbrella group."),
    _org("national-coalition", "political_body",
         "National Coalition for Syrian Revolutionary and Opposition Forces", country="TR",
         ar="الائتلاف الوطني لقوى الثورة والمعارضة السورية",
         ru="Национальная коалиция сирийских революционных и оппозиционных сил",
         tr="Suriye Devrim ve Muhalefet Güçleri Ulusal Koalisyonu",
         aliases=("National Coalition", "Syrian National Coalition", "SNC", "Etilaf"),
         description="Turkey-based Syrian opposition body."),
    _org("united-nations", "international_organisation", "United Nations",
         ar="الأمم المتحدة", ru="Организация Объединённых Наций", tr="Birleşmiş Milletler",
         aliases=("UN",)),
    _org("joint-group", "international_organisation",
         "Joint Group of the guarantors (ceasefire mechanism)",
         ar="مجموعة العمل المشتركة", ru="Совместная группа", tr="Ortak Çalışma Grubu",
         aliases=("Joint Group", "trilateral mechanism", "joint mechanism"),
         description="Iran, Russia and Turkey, with UN experts for liaison; runs the mechanism."),
    _org("example-wire", "media", "Example Wire (synthetic demo source)",
         description="A made-up news agency: every report it files is a synthetic example."),
    _person("sergei-lavrov", "Sergei Lavrov", ar="سيرغي لافروف", ru="Сергей Лавров",
            tr="Sergey Lavrov", aliases=("Sergey Lavrov", "Lavrov")),
    _person("riyad-hijab", "Riyad Hijab", ar="رياض حجاب", ru="Рияд Хиджаб", tr="Riyad Hicab",
            aliases=("Riad Hijab", "Riyad Hijeb", "Riad Hijeb")),
    _person("riyad-naasan-agha", "Riyad Naasan Agha", ar="رياض نعسان آغا",
            ru="Рияд Нассан Ага", aliases=("Riyad Naasan", "Riad Naasan", "Riad Nassan Agha")),
    _person("ahmad-ramadan", "Ahmad Ramadan", ar="أحمد رمضان", ru="Ахмад Рамадан",
            tr="Ahmed Ramazan", aliases=("Ahmed Ramadan",)),
    _person("anas-al-abdah", "Anas al-Abdah", ar="أنس العبدة", ru="Анас аль-Абда",
            aliases=("Anas Al Abdah", "Anas al-Abda")),
    _person("khaled-khoja", "Khaled Khoja", ar="خالد خوجة", tr="Halit Hoca",
            aliases=("Khalid Khoja",)),
    _person("national-coalition-deputy-head",
            "Deputy head of the National Coalition (not named in the seed article)",
            description="The seed article says an invitation went to \"the deputy of the "
                        "sitting chief\" of the National Coalition, without a name."),
    _person("staffan-de-mistura", "Staffan de Mistura", ar="ستافان دي ميستورا",
            ru="Стаффан де Мистура", aliases=("de Mistura",)),
)

AFFILIATIONS: tuple[dict[str, Any], ...] = (
    {"person": "sergei-lavrov", "organisation": "russian-foreign-ministry",
     "role": "foreign minister", "valid_from": "2004-03-09",
     "source": "seed article: 'Russian Foreign Minister Sergei Lavrov'"},
    {"person": "riyad-hijab", "organisation": "hnc", "role": "coordinator",
     "valid_from": "2015-12-17", "source": "seed article: 'HNC coordinator Riyad Hijab'"},
    {"person": "riyad-naasan-agha", "organisation": "hnc", "role": "spokesman",
     "source": "seed article: 'High Negotiations Committee spokesman Riyad Naasan'"},
    {"person": "ahmad-ramadan", "organisation": "national-coalition", "role": "spokesman",
     "source": "seed article: 'said spokesman Ahmad Ramadan'"},
    {"person": "anas-al-abdah", "organisation": "national-coalition", "role": "head",
     "valid_from": "2016-03-06", "source": "public record: president of the Coalition 2016–2017"},
    {"person": "khaled-khoja", "organisation": "national-coalition", "role": "former head",
     "valid_from": "2015-01-05", "valid_to": "2016-03-06",
     "source": "public record: president of the Coalition 2015–2016"},
    {"person": "national-coalition-deputy-head", "organisation": "national-coalition",
     "role": "deputy of the sitting chief",
     "source": "seed article: 'to the deputy of the sitting chief'"},
    {"person": "staffan-de-mistura", "organisation": "united-nations",
     "role": "special envoy for Syria", "valid_from": "2014-07-10", "source": "public record"},
)
