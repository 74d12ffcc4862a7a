"""Regenerate the unit lists in this folder from the `vietnam-provinces` wheel.

The package declares Python >= 3.12, so the app never imports it; maintainers run this
script once per data release with a 3.12 interpreter that can import the unpacked wheel:

    pip download --no-deps --python-version 3.12 --only-binary=:all: vietnam-provinces==2026.9.0
    unzip vietnam_provinces-2026.9.0-py3-none-any.whl -d /tmp/vp
    PYTHONPATH=/tmp/vp python3.12 dialogue/units/data/extract.py

The output is plain JSON (code, name, kind, parent code) with the source version recorded.
"""

import json
from pathlib import Path

HERE = Path(__file__).parent

# Division types of the package mapped to our UnitKind values.
KINDS = {
    "tỉnh": "tinh",
    "thành phố trung ương": "thanh_pho_trung_uong",
    "huyện": "huyen",
    "quận": "quan",
    "thị xã": "thi_xa",
    "thành phố": "thanh_pho",
    "xã": "xa",
    "phường": "phuong",
    "thị trấn": "thi_tran",
    "đặc khu": "dac_khu",
}


def _write(name: str, payload: dict) -> None:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    # One record per line keeps diffs between data releases readable.
    text = text.replace("],[", "],\n[")
    (HERE / name).write_text(text + "\n", encoding="utf-8")


def main() -> None:
    import vietnam_provinces
    from vietnam_provinces import _province_conversion_2025 as province_conversion
    from vietnam_provinces import _ward_conversion_2025 as ward_conversion
    from vietnam_provinces.legacy import _lookup as legacy

    source = {
        "package": "vietnam-provinces",
        "version": vietnam_provinces.__version__,
        "data_version": vietnam_provinces.__data_version__,
    }
    nested = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    _write("units-2025.json", {
        "source": source,
        "provinces": [[p["code"], p["name"], KINDS[p["division_type"]]] for p in nested],
        "communes": [
            [w["code"], w["name"], KINDS[w["division_type"]], p["code"]]
            for p in nested for w in p["wards"]
        ],
    })
    _write("units-legacy.json", {
        "source": source,
        "provinces": [
            [int(p.code), p.name, KINDS[p.division_type.value]]
            for p in legacy.PROVINCE_MAPPING.values()
        ],
        "districts": [
            [int(d.code), d.name, KINDS[d.division_type.value], int(d.province_code)]
            for d in legacy.DISTRICT_MAPPING.values()
        ],
        "communes": [
            [int(w.code), w.name, KINDS[w.division_type.value], int(w.district_code)]
            for w in legacy.WARD_MAPPING.values()
        ],
    })
    _write("succession-2025.json", {
        "source": {**source, "table": ward_conversion.SOURCE},
        "provinces": [
            [old, new.code]
            for old, entry in province_conversion.OLD_TO_NEW.items()
            for new in entry.new_provinces
        ],
        "communes": [
            [old, new.code, entry.old_ward.is_partly_merged]
            for old, entry in ward_conversion.OLD_TO_NEW.items()
            for new in entry.new_wards
        ],
    })


if __name__ == "__main__":
    main()
