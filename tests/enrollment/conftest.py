import datetime as dt

import pytest

from ltci.core.idnumber import make_id_number

ROSTER_HEADER = (
    "national_id,name,insurance_type,region_code,enrolled_on,categories,has_personal_account,"
    "ended_on,end_reason\n"
)


def nid(serial: int, birth=dt.date(1960, 5, 1), region="320302") -> str:
    return make_id_number(region, birth, serial)


def write(tmp_path, name: str, text: str, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def roster_csv(*rows) -> bytes:
    return (ROSTER_HEADER + "".join(r + "\n" for r in rows)).encode()


@pytest.fixture
def roster(xuzhou):
    """Import roster rows (CSV lines) and return the report."""
    from enrollment.imports import import_roster

    def _import(*rows, filename="roster.csv"):
        return import_roster(content=roster_csv(*rows), filename=filename)

    return _import
