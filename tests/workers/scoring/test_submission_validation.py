"""A rejected submission says what is wrong, where, and what to do; harmless variations are accepted."""

from __future__ import annotations

import re

import pytest

from workers.scoring import SubmissionRejected, reading


def rejection(digits, content, **kwargs) -> str:
    with pytest.raises(SubmissionRejected) as caught:
        digits.score(content, **kwargs)
    assert caught.value.message == str(caught.value)
    return caught.value.message


def test_a_perfect_submission_scores_one_on_both_parts(digits):
    result = digits.score(digits.rows())
    assert (result.public_score, result.private_score, result.rows) == (1.0, 1.0, 3000)


def test_empty_file_is_rejected_as_empty(digits):
    assert "empty" in rejection(digits, b"")
    assert "empty" in rejection(digits, b"\n \r\n\n")


def test_header_only_file_asks_for_rows(digits):
    assert "no rows" in rejection(digits, "ImageId,Label\n")


def test_missing_header_is_named_with_the_expected_columns(digits):
    message = rejection(digits, "1,7\n2,4\n")
    assert "The first line should be a header" in message and "ImageId,Label" in message


def test_wrong_header_names_the_expected_and_unexpected_columns(digits):
    message = rejection(digits, digits.rows(), header=("ImageId", "Prediction"))
    assert "ImageId,Label (in any order)" in message
    assert "missing Label" in message and "not expected Prediction" in message


def test_columns_in_another_order_are_accepted(digits):
    rows = [[label, row_id] for row_id, label in digits.rows()]
    assert digits.score(rows, header=("Label", "ImageId")).public_score == 1.0


def test_header_whitespace_bom_and_case_are_tolerated(digits):
    body = "".join(f"{row_id},{label}\n" for row_id, label in digits.rows())
    assert digits.score(b"\xef\xbb\xbf ImageId , Label \n" + body.encode()).public_score == 1.0
    assert digits.score("imageid,LABEL\n" + body).public_score == 1.0


def test_pandas_index_column_gets_a_hint(digits):
    rows = [[str(position), *row] for position, row in enumerate(digits.rows())]
    assert "index=False" in rejection(digits, rows, header=("", "ImageId", "Label"))


def test_missing_ids_are_counted_and_the_first_named(digits):
    rows = [row for row in digits.rows() if row[0] not in {"1043", "1044", "1050"} and int(row[0]) < 2992]
    message = rejection(digits, rows)
    assert message.startswith("Missing 12 of 3,000 ids (first: 1043, 1044, 1050, 2992, 2993).")
    assert message.endswith("Every id in test.csv must appear exactly once.")


def test_unknown_ids_are_named(digits):
    rows = digits.rows()
    rows[5][0] = "99999"
    rows[6][0] = "abc"
    message = rejection(digits, rows)
    assert "2 ids are not in test.csv (first: 99999, abc)" in message
    assert "Missing 2 of 3,000 ids (first: 6, 7)" in message


def test_ids_are_compared_as_strings_so_leading_zeros_do_not_match(digits):
    rows = digits.rows()
    rows[0][0] = "01"
    assert "1 id is not in test.csv (first: 01)" in rejection(digits, rows)


def test_ids_with_surrounding_spaces_match(digits):
    rows = [[f" {row_id} ", label] for row_id, label in digits.rows()]
    assert digits.score(rows).public_score == 1.0


def test_duplicate_ids_fail_with_the_first_duplicate_named(digits):
    rows = digits.rows()
    rows[10][0] = "3"
    rows[20][0] = "2"
    message = rejection(digits, rows)
    assert "2 ids appear more than once (first: 3, 2)" in message
    assert "Missing 2 of 3,000 ids (first: 11, 21)" in message


def test_blank_and_nan_predictions_name_their_ids(digits):
    rows = digits.rows()
    rows[99][1] = ""
    rows[199][1] = "NaN"
    message = rejection(digits, rows)
    assert message == (
        "2 rows have no value (blank or NaN) in Label (ids 100, 200). Every row needs a prediction."
    )


def test_a_label_outside_the_allowed_ones_names_them_and_the_rows(digits):
    rows = digits.rows()
    rows[4][1] = "cat"
    rows[8][1] = "10"
    message = rejection(digits, rows)
    assert message == (
        "2 rows hold a label not allowed in Label: cat (id 5), 10 (id 9). "
        "Allowed labels: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9."
    )


def test_labels_with_spaces_or_quotes_are_read_as_the_label(digits):
    body = "".join(f'"{row_id}"," {label}"\r\n' for row_id, label in digits.rows())
    assert digits.score("ImageId,Label\r\n" + body + "\r\n\r\n").public_score == 1.0


@pytest.mark.parametrize(("delimiter", "named"), [(";", "';'"), ("\t", "tabs"), ("|", "'|'")])
def test_another_delimiter_is_detected_and_named(digits, delimiter, named):
    lines = [["ImageId", "Label"], *digits.rows()]
    text = "".join(f"{row_id}{delimiter}{label}\n" for row_id, label in lines)
    assert rejection(digits, text).startswith(f"The file uses {named} between values; use commas.")


def test_rows_with_too_many_values_are_located_by_line(digits):
    rows = digits.rows()
    rows[2] = [rows[2][0], "7", "extra"]
    message = rejection(digits, rows)
    assert "line 4 has 3 (3,7,extra)" in message and "like the header (ImageId,Label)" in message


@pytest.mark.parametrize("slice_bytes", [1 << 20, 5, 6, 7])  # small slices split the valid "é" too
def test_text_that_is_not_utf8_is_rejected_with_its_line(digits, monkeypatch, slice_bytes):
    monkeypatch.setattr(reading, "UTF8_SLICE_BYTES", slice_bytes)
    good = "".join(f"{row_id},{label}\n" for row_id, label in digits.rows()[:5])
    text = ("ImageId,Label\n" + good + "6,café\n").encode() + "7,caf\xe9\n".encode("latin-1")
    message = rejection(digits, text)
    assert message.startswith("The file is not UTF-8 text: line 8 holds the byte 0xE9")


def test_utf16_is_named(digits):
    assert "UTF-16" in rejection(digits, "ImageId,Label\n1,7\n".encode("utf-16"))


def test_binary_garbage_is_rejected(digits):
    assert "binary" in rejection(digits, bytes(range(256)) * 10)


def test_excel_and_other_formats_are_named(digits, files):
    assert "Parquet" in rejection(digits, b"PAR1" + bytes(100))
    assert "PDF" in rejection(digits, b"%PDF-1.7\n")


def test_an_upload_over_the_limit_is_rejected_without_being_read(digits, files, monkeypatch):
    path = files.write(b"")
    with open(path, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: costs no disk and no time
    from workers.scoring import archives, score_file

    monkeypatch.setattr(archives, "open", None, raising=False)  # reading it would fail loudly
    with pytest.raises(
        SubmissionRejected, match=re.escape("The file is 200.0 MB; this challenge takes at most 100.0 MB.")
    ):
        score_file(path, digits.solution, digits.spec)


def test_blank_lines_lines_of_spaces_and_lone_carriage_returns_are_accepted(digits):
    body = "".join(f"{row_id},{label}\r" for row_id, label in digits.rows())
    assert digits.score("\n\nImageId,Label\r" + body).public_score == 1.0
    lines = [f"{row_id},{label}\n" for row_id, label in digits.rows()]
    lines.insert(100, "   \n")
    lines.insert(5, "\n")
    assert digits.score("ImageId,Label\n" + "".join(lines) + "  \n\n").public_score == 1.0
