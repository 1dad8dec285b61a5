import pytest

from bot.understanding import IntentThresholdError, match_intent

DEPARTMENTS = {
    "billing": ["pay my bill", "bill", "payment", "invoice"],
    "sales": ["buy", "new account", "upgrade"],
    "support": ["broken", "not working", "technical support"],
    "cancellations": ["cancel", "close my account"],
}


@pytest.mark.parametrize(
    ("text", "department"),
    [("I want to pay my bill", "billing"), ("question about my bills", "billing"),
     ("paymnet", "billing"), ("billing", "billing"), ("my router is broken", "support"),
     ("technical suport", "support"), ("I'd like to upgrade", "sales"),
     ("please close my account", "cancellations")],
)
def test_matches(text, department):
    assert match_intent(text, DEPARTMENTS) == department


@pytest.mark.parametrize(
    "text", ["hello", "", "I want to cancel my bill", "bull", "my account", "🙂", "x" * 3000]
)
def test_unclear_or_tied_is_none(text):
    assert match_intent(text, DEPARTMENTS) is None


def test_every_word_of_a_synonym_must_be_heard():
    # Token-set ratios would let "my account" match "close my account"; here it must not.
    assert match_intent("new phone", DEPARTMENTS) is None
    assert match_intent("a new account", DEPARTMENTS) == "sales"


def test_threshold_is_passed_in():
    assert match_intent("paymnet", DEPARTMENTS, threshold=85) == "billing"
    assert match_intent("paymnet", DEPARTMENTS, threshold=95) is None
    with pytest.raises(IntentThresholdError):
        match_intent("bill", DEPARTMENTS, threshold=150)


def test_no_departments():
    assert match_intent("pay my bill", {}) is None


def test_the_most_specific_synonym_wins():
    """Issue 13, finding 5: fraud's phrases lost to cards' "card" and billing's "payment"."""
    synonyms = {"cards": ["card", "cards"], "billing": ["payment", "bill"],
                "fraud": ["fraud", "someone used my card", "unauthorised payment"]}
    assert match_intent("someone used my card", synonyms) == "fraud"
    assert match_intent("there's an unauthorised payment on my account", synonyms) == "fraud"
    assert match_intent("I lost my card", synonyms) == "cards"
    assert match_intent("card payment", synonyms) is None  # equally specific: ask again
