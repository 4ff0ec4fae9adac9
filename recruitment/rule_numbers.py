"""Every number the admission rules use (docs/domain.md §3), in one place.

A committee that reads a newer text changes the number here and nowhere else; `rules.py` and the
messages it writes read these names. Each constant names the document it comes from. Those marked
UNCERTAIN could not be checked against the text itself (read in a secondary summary, or the
clause in the 2025 texts was not read); confirm them before relying on them.

Documents, as cited in messages:
- Điều lệ Đảng (Party Statute, 2011, in force).
- Quy định 294-QĐ/TW (May 2025) on implementing the Statute; replaces QĐ 24-QĐ/TW (2021), which
  replaced QĐ 29-QĐ/TW (2016). The numbers below did not change across them in any text read.
- Hướng dẫn 06-HD/TW (2025) on specific questions; replaces HD 01-HD/TW (2021).
- Quy định 232-QĐ/TW (January 2025) amending QĐ 24.
- Điều lệ Đoàn TNCS Hồ Chí Minh (Youth Union statute), only for the youth age.
"""

# Source labels used in messages: one place to correct a citation.
STATUTE = "Điều lệ Đảng"
QD_294 = "Quy định 294-QĐ/TW"
HD_06 = "Hướng dẫn 06-HD/TW"
QD_232 = "Quy định 232-QĐ/TW"
QD_24 = "Quy định 24-QĐ/TW"
HD_01 = "Hướng dẫn 01-HD/TW"
YOUTH_UNION_STATUTE = "Điều lệ Đoàn TNCS Hồ Chí Minh"

# Rule 1. Statute Art. 1(2) ("từ mười tám tuổi trở lên"); QĐ 294 (as QĐ 24 point 1.1 before it)
# fixes "đủ 18 tuổi đến đủ 60 tuổi (tính theo tháng)" on the day the cell considers admission.
MIN_AGE_YEARS = 18
# Rule 1. QĐ 294 (QĐ 24 point 1.1): above 60 only by decision of a committee directly under the
# Central Committee (cấp ủy trực thuộc Trung ương).
MAX_AGE_YEARS = 60

# Rule 3. HD 06-HD/TW (HD 01-HD/TW before it): certificate CN-NTVĐ is valid 60 months from issue.
CERTIFICATE_VALIDITY_MONTHS = 60

# Rule 5. Statute Art. 4(2) ("ít nhất một năm"); QĐ 294 spells it as 12 months and exempts a
# replacement introducer.
INTRODUCER_MIN_MONTHS_KNOWN = 12
# Rule 5. Youth age ("độ tuổi thanh niên"): Youth Union members are 16 to 30 (Điều lệ Đoàn, Art. 1;
# Luật Thanh niên 2020 uses the same bounds). UNCERTAIN: whether "30 tuổi" ends at the 30th or the
# 31st birthday; here a candidate is of youth age while their age in full years is at most 30.
YOUTH_AGE_MIN_YEARS = 16
YOUTH_AGE_MAX_YEARS = 30

# Rule 6. Statute Art. 4 and QĐ 294: at least two thirds of ALL full members of the cell (and of
# all members of a grassroots committee). Kept as a fraction of integers so the arithmetic is exact.
VOTE_SHARE_NUMERATOR = 2
VOTE_SHARE_DENOMINATOR = 3

# Rule 7. Statute Art. 21 (a party organisation needs at least three full members) and HD 06;
# docs/domain.md §3.1 asks only for a warning.
MIN_FULL_MEMBERS_FOR_VOTE = 3

# Rule 8. 60 working days from the cell resolution to the admission decision, extendable by at most
# 30: confirmed in QĐ 29-QĐ/TW and QĐ 232-QĐ/TW (01/2025). UNCERTAIN only in that the text of
# QĐ 294 itself was not read.
DECISION_WORKING_DAYS = 60
DECISION_EXTENSION_WORKING_DAYS = 30

# Rule 9. QĐ 294 (QĐ 29 point 4.1, QĐ 24): ceremony within 30 working days of receiving the
# decision; later only with the consent of the committee directly above.
CEREMONY_WORKING_DAYS = 30

# Rule 10. Statute Art. 5(1): 12 months' probation, counted from the ceremony.
PROBATION_MONTHS = 12

# Rule 11. QĐ 294 (QĐ 29 point 4.2, QĐ 24): the cell considers recognition within 30 working days
# after probation ends; recognition takes effect at the end of the 12 months even when late.
RECOGNITION_WORKING_DAYS = 30

# Rule 13: the numbers live with the member roll, which re-admits (members/readmission.py cites them).
from members.readmission import (  # noqa: E402, F401  (re-exported: rules.py reads them as N.*)
    NEVER_READMITTED_EXIT_REASONS,
    READMISSION_AFTER_CLEARED_RECORD_MONTHS,
    READMISSION_MAX_TIMES,
    READMISSION_MIN_MONTHS,
)

# Rule 14. UNCERTAIN: read only in a secondary summary of HD 01-HD/TW; dossier papers older than
# 12 months at the cell vote must be redone. docs/domain.md §3.1: a warning.
DOSSIER_PAPER_MAX_AGE_MONTHS = 12
