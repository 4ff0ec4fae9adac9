"""A quick test for `members.validation.hidden_characters`: the text's characters against those seen before.

`hidden_characters` looks each character of a text up in Unicode's tables (`is_hidden_character`): most of
the time spent checking a sheet's texts, which almost never hold one, and which use a few hundred distinct
characters between them. `may_hide` keeps the characters `is_hidden_character` has said are not hidden and
tests a text's set of characters against them at once; only a character not seen before is looked up.
"""

from members.validation import is_hidden_character

# Characters `is_hidden_character` said are not hidden (only ever added to; a few hundred per import).
_shown: set[str] = set()


def may_hide(text: str) -> bool:
    """False when `hidden_characters(text)` is certainly empty (whatever it allows); True when the text
    holds a hidden character (`hidden_characters` then says which, and whether it is allowed)."""
    chars = set(text)
    if chars <= _shown:
        return False
    for char in chars - _shown:
        if is_hidden_character(char):
            return True
        _shown.add(char)
    return False
