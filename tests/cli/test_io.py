"""Reading and writing tables (ziekenvervoer.io): encodings, malformed lines, outputs, modes."""

from __future__ import annotations

import csv
import io
import os
import stat

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.errors import InvalidQuery
from ziekenvervoer.io import (
    ROW_ERROR_COLUMN,
    SOURCE_LINE_COLUMN,
    check_output,
    read_table,
    read_table_info,
    usual_mode,
    write_table_atomic,
)

HEADER = "id,naam,km\n"


@pytest.fixture
def umask():
    """Set the process umask for a test and restore it afterwards."""
    old = os.umask(0o022)
    os.umask(old)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(old)


def mode_of(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# --- well-formed files read as pandas reads them ----------------------------------------------

cell = st.text(alphabet="ab ü,;\"'\n0.-", max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda w: st.tuples(
            st.lists(st.sampled_from(["a", "b", "km", "Naam", "a"]), min_size=w, max_size=w),
            st.lists(st.lists(cell, min_size=w, max_size=w), max_size=5),
        )
    ),
    st.sampled_from([",", ";"]),
)
def test_well_formed_csv_reads_as_pandas_does(tmp_path_factory, table, delimiter):
    header, rows = table
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    expected = pd.read_csv(
        path, dtype=str, keep_default_na=False, sep=delimiter, engine="python", encoding="utf-8"
    )
    info = read_table_info(path)
    assert info.malformed_rows == 0 and info.encoding == "utf-8" and info.delimiter == delimiter
    pd.testing.assert_frame_equal(info.frame, expected, check_index_type=False)


def test_semicolons_and_bom_as_written_by_dutch_excel(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffid;bedrag\n007;12,50\n".encode())
    df = read_table(path)
    assert list(df.columns) == ["id", "bedrag"]
    assert df.to_dict("records") == [{"id": "007", "bedrag": "12,50"}]


# --- malformed lines ----------------------------------------------------------------------------


def test_malformed_lines_are_kept_marked_and_in_order(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        HEADER
        + '1,"Jan\nJansen",10\n'  # a quoted line break: one row over lines 2-3
        + "2,Piet,11,extra,extra\n"  # line 4: two fields too many
        + "\n"  # blank line 5: skipped
        + "3,Kees\n"  # line 6: one field too few
        + "4,Anna,12\n"
    )
    info = read_table_info(path)
    df = info.frame
    assert list(df["id"]) == ["1", "2", "3", "4"]  # rows in = rows out, in order
    assert list(df[SOURCE_LINE_COLUMN]) == [2, 4, 6, 7]
    assert list(df[ROW_ERROR_COLUMN]) == [
        "",
        "line 4: 5 fields, the header has 3",
        "line 6: 2 fields, the header has 3",
        "",
    ]
    assert df.loc[1, "km"] == "11" and df.loc[2, "km"] == ""  # truncated and padded
    assert info.malformed_rows == 2
    assert any("2 malformed line(s)" in n for n in info.notes)
    assert "Piet" not in " ".join(info.notes) + " ".join(df[ROW_ERROR_COLUMN])


def test_a_stray_quote_does_not_swallow_the_rows_after_it(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + '1,"Jan,10\n2,Piet,11\n3,Kees,12\n')
    df = read_table(path)
    assert list(df["id"]) == ["1", "2", "3"]
    assert df[ROW_ERROR_COLUMN].tolist()[0].startswith("line 2:")
    assert df[ROW_ERROR_COLUMN].tolist()[1:] == ["", ""]
    assert df.loc[2, "naam"] == "Kees"


def test_no_marker_columns_without_malformed_lines(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "1,Jan,10\n")
    assert ROW_ERROR_COLUMN not in read_table(path).columns


# --- encodings and empty files ------------------------------------------------------------------


def test_cp1252_falls_back_and_says_so(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("id;naam\n1;Müller\n2;Zoë €\n".encode("cp1252"))
    info = read_table_info(path)
    assert info.encoding == "cp1252"
    assert list(info.frame["naam"]) == ["Müller", "Zoë €"]
    assert any("Windows-1252" in n for n in info.notes)


def test_neither_utf8_nor_cp1252_is_a_typed_error(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,naam\n1,\x81\xff\n")
    with pytest.raises(InvalidQuery) as exc:
        read_table(path)
    assert exc.value.field == "input" and "UTF-8" in exc.value.message


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_a_file_without_header_is_a_typed_error(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidQuery) as exc:
        read_table(path)
    assert exc.value.field == "input" and "empty" in exc.value.message


def test_a_header_without_rows_is_an_empty_table(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEADER)
    df = read_table(path)
    assert list(df.columns) == ["id", "naam", "km"] and len(df) == 0


def test_old_excel_is_a_typed_error(tmp_path):
    path = tmp_path / "t.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InvalidQuery, match="xlsx"):
        read_table(path)


# --- outputs ------------------------------------------------------------------------------------


def test_output_may_not_be_an_input(tmp_path, monkeypatch):
    src = tmp_path / "in.csv"
    src.write_text(HEADER)
    monkeypatch.chdir(tmp_path)
    for same in (src, tmp_path / "sub" / ".." / "in.csv", "in.csv"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(InvalidQuery) as exc:
            check_output(same, inputs=[src])
        assert exc.value.field == "output"
    link = tmp_path / "link.csv"
    link.symlink_to(src)
    hard = tmp_path / "hard.csv"
    os.link(src, hard)
    for alias in (link, hard):
        with pytest.raises(InvalidQuery):
            check_output(alias, inputs=[src])
    assert check_output(tmp_path / "out.csv", inputs=[src, None]) == tmp_path / "out.csv"


@pytest.mark.parametrize("name", ["out.txt2", "out", "out.xls", "out.xlsm"])
def test_unknown_output_type_is_refused(tmp_path, name):
    with pytest.raises(InvalidQuery) as exc:
        check_output(tmp_path / name)
    assert exc.value.field == "output"


def test_a_folder_is_not_an_output(tmp_path):
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(InvalidQuery, match="folder"):
        check_output(tmp_path / "x.csv")


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002, 0o077])
def test_outputs_get_the_usual_mode_and_private_ones_0600(tmp_path, umask, mask):
    umask(mask)
    assert usual_mode() == 0o666 & ~mask
    df = pd.DataFrame({"a": ["1"]})
    for suffix in (".csv", ".parquet", ".xlsx"):
        ordinary = write_table_atomic(df, tmp_path / f"o{suffix}")
        private = write_table_atomic(df, tmp_path / f"p{suffix}", private=True)
        assert mode_of(ordinary) == 0o666 & ~mask, suffix
        assert mode_of(private) == 0o600, suffix
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_tsv_is_written_with_tabs_and_excel_cells_are_safe(tmp_path):
    df = pd.DataFrame({"a": ["x\x01y", "z"], "b": [1, 2]})
    write_table_atomic(df, tmp_path / "o.tsv")
    assert (tmp_path / "o.tsv").read_text().splitlines()[0] == "a\tb"
    write_table_atomic(df, tmp_path / "o.xlsx")
    back = pd.read_excel(tmp_path / "o.xlsx", dtype=object)
    assert list(back["a"]) == ["x\ufffdy", "z"] and list(back["b"]) == [1, 2]
