import pytest

from bot.understanding import read_email


@pytest.mark.parametrize(
    ("text", "address"),
    [("john.smith@example.com", "john.smith@example.com"),
     ("John.Smith@Example.COM", "john.smith@example.com"),
     ("email: <jo.bloggs+test@gmail.com>.", "jo.bloggs+test@gmail.com"),
     ("john dot smith at example dot com", "john.smith@example.com"),
     ("my email is j o h n underscore smith eighty five at gmail dot com", "john_smith85@gmail.com"),
     ("jane hyphen doe at hotmail dot co dot uk", "jane-doe@hotmail.co.uk"),
     ("mary dash ann at yahoo dot com thanks", "mary-ann@yahoo.com"),
     ("I'm at home but it's tom at bt dot com", "tom@bt.com"),
     ("m a double t at example dot com", "matt@example.com"),
     ("double you at example dot com", "w@example.com"),
     ("info at my-company dot co dot uk", "info@my-company.co.uk"),
     ("echo mike at example dot com", "em@example.com")],
)
def test_reads_typed_and_spoken_addresses(text, address):
    assert read_email(text) == address


@pytest.mark.parametrize(
    "text", ["john at example", "hello", "", "a@b", "john@@example.com", "x@localhost", "at " * 500]
)
def test_invalid_or_missing(text):
    assert read_email(text) is None


def test_no_dns_lookup(monkeypatch):
    import dns.resolver

    def refuse(*args, **kwargs):
        raise AssertionError("read_email must not touch the network")

    monkeypatch.setattr(dns.resolver.Resolver, "resolve", refuse)
    assert read_email("someone@no-such-domain-for-tests.com") == "someone@no-such-domain-for-tests.com"
