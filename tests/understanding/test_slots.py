from bot.understanding.slots import parse_slots


def texts(text):
    slots, flagged = parse_slots(text)
    return [sorted(a.text for a in slot) for slot in slots], flagged


def test_fillers_leave_no_slot():
    assert texts("um my number is please") == ([], False)


def test_homophones_offer_the_digit_or_nothing():
    assert texts("for") == ([["", "4"]], False)


def test_oh_offers_zero_letter_or_nothing():
    assert texts("oh") == ([["", "0", "O"]], False)


def test_odd_formatting_flags_the_utterance():
    assert texts("$4.56") == ([["456"]], True)
    assert texts("4,567") == ([["4567"]], False)


def test_spelled_letter_replaces_its_slot():
    assert texts("B as in boy") == ([["B"]], False)


def test_multiplier_repeats_the_next_character():
    assert texts("double five") == ([["55"]], False)
    assert texts("triple oh") == ([["000", "OOO"]], False)
