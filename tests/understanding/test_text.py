from bot.understanding.text import MAX_CHARS, normalise, tokens, too_long, words


def test_full_width_digits_and_curly_apostrophes_are_normalised():
    assert normalise("１２３ it’s") == "123 it's"


def test_tokens_keep_case_and_inner_apostrophes():
    assert tokens("It's SW1A-1AA, ok?") == ["It's", "SW1A", "1AA", "ok"]
    assert words("It's OK") == ["it's", "ok"]


def test_too_long_and_not_a_string():
    assert too_long("x" * (MAX_CHARS + 1))
    assert not too_long("x" * MAX_CHARS)
    assert too_long(None)
