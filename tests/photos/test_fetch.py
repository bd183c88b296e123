"""Downloading a picture from Twilio's media host: through local servers standing in for it."""

from __future__ import annotations

import pytest

from cloudcity.config import Settings
from cloudcity.images import sniff
from cloudcity.providers.factory import build_media_fetcher
from cloudcity.providers.media import MediaFetcher
from cloudcity.providers.ports import DeliveryError, MediaRefused
from tests.photos.conftest import MAX_BYTES, SID
from tests.support.chat import TOKEN
from tests.support.media_host import GIF, HEIC, JPEG, PNG, WEBP, MediaHost, Served, basic

MEDIA = "/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"


@pytest.fixture
def fetcher(settings: Settings) -> MediaFetcher:
    """The fetcher the worker builds from the settings (credentials and allowed hosts)."""
    built = build_media_fetcher(settings)
    assert isinstance(built, MediaFetcher)
    return built


def test_a_picture_is_fetched_with_the_accounts_credentials(
    fetcher: MediaFetcher, api: MediaHost
) -> None:
    fetched = fetcher.fetch(api.serve(MEDIA))
    assert (fetched.content_type, fetched.data) == ("image/jpeg", JPEG)
    assert [seen.authorization for seen in api.seen] == [basic(SID, TOKEN)]


def test_wrong_credentials_are_a_401_that_says_what_to_check(
    settings: Settings, api: MediaHost
) -> None:
    wrong = build_media_fetcher(settings.model_copy(update={"twilio_account_sid": "AC" + "9" * 32}))
    with pytest.raises(DeliveryError) as refused:
        wrong.fetch(api.serve(MEDIA))
    assert refused.value.status == 401
    assert refused.value.permanent
    assert "TWILIO_AUTH_TOKEN" in str(refused.value)


def test_the_redirect_to_the_cdn_is_followed_without_the_credentials(
    fetcher: MediaFetcher, api: MediaHost, cdn: MediaHost
) -> None:
    signed = cdn.serve(
        "/signed/abc?Expires=1", Served(body=PNG, headers={"Content-Type": "image/png"})
    )
    fetched = fetcher.fetch(api.redirect(MEDIA, signed))
    assert fetched.content_type == "image/png"
    assert [seen.authorization for seen in cdn.seen] == [None]  # the password stayed home


def test_a_redirect_to_a_host_not_allowed_is_refused_before_it_is_asked(
    fetcher: MediaFetcher, api: MediaHost, elsewhere: MediaHost
) -> None:
    with pytest.raises(MediaRefused, match="not one of Twilio's media hosts"):
        fetcher.fetch(api.redirect(MEDIA, elsewhere.serve("/steal")))
    assert elsewhere.seen == []


def test_a_media_url_on_another_host_is_refused_at_once(
    fetcher: MediaFetcher, elsewhere: MediaHost
) -> None:
    with pytest.raises(MediaRefused, match="CLOUDCITY_PHOTO_HOSTS"):
        fetcher.fetch(elsewhere.serve(MEDIA))
    assert elsewhere.seen == []


@pytest.mark.parametrize("url", ["ftp://api.twilio.com/x", "file:///etc/passwd", "not a url"])
def test_what_is_no_http_url_is_refused(fetcher: MediaFetcher, url: str) -> None:
    with pytest.raises(MediaRefused):
        fetcher.fetch(url)


@pytest.mark.parametrize("chunked", [False, True], ids=["with a length", "chunked"])
def test_an_oversize_picture_is_refused(
    fetcher: MediaFetcher, api: MediaHost, chunked: bool
) -> None:
    big = Served(body=JPEG + bytes(MAX_BYTES), chunked=chunked)
    with pytest.raises(MediaRefused, match="CLOUDCITY_PHOTO_MAX_BYTES"):
        fetcher.fetch(api.serve(MEDIA, big))


def test_a_picture_just_at_the_limit_is_kept(fetcher: MediaFetcher, api: MediaHost) -> None:
    body = JPEG + bytes(MAX_BYTES - len(JPEG))
    assert len(fetcher.fetch(api.serve(MEDIA, Served(body=body, chunked=True))).data) == MAX_BYTES


def test_bytes_that_are_no_image_are_refused_whatever_the_header_says(
    fetcher: MediaFetcher, api: MediaHost
) -> None:
    html = Served(body=b"<html><script>alert(1)</script></html>")
    with pytest.raises(MediaRefused, match="its bytes"):
        fetcher.fetch(api.serve(MEDIA, html))


@pytest.mark.parametrize("declared", ["text/html", "image/svg+xml", "audio/ogg", ""])
def test_a_type_that_is_no_image_we_keep_is_refused(
    fetcher: MediaFetcher, api: MediaHost, declared: str
) -> None:
    served = Served(body=JPEG, headers={"Content-Type": declared} if declared else {})
    with pytest.raises(MediaRefused, match="not a picture we keep"):
        fetcher.fetch(api.serve(MEDIA, served))


def test_a_picture_twilio_no_longer_has_is_refused(fetcher: MediaFetcher, api: MediaHost) -> None:
    with pytest.raises(MediaRefused, match="no longer on Twilio"):
        fetcher.fetch(api.url + "/missing")


def test_a_server_error_is_worth_retrying(fetcher: MediaFetcher, api: MediaHost) -> None:
    with pytest.raises(DeliveryError) as failed:
        fetcher.fetch(api.serve(MEDIA, Served(503, b"busy", {"Retry-After": "30"})))
    assert not failed.value.permanent
    assert failed.value.retry_after == 30


def test_a_host_that_does_not_answer_is_worth_retrying(settings: Settings) -> None:
    with MediaHost() as gone:
        url = gone.url
    closed = build_media_fetcher(settings.model_copy(update={"photo_hosts": url}))
    with pytest.raises(DeliveryError) as failed:
        closed.fetch(url + MEDIA)
    assert not failed.value.permanent


def test_a_redirect_loop_is_refused(fetcher: MediaFetcher, api: MediaHost) -> None:
    with pytest.raises(MediaRefused, match="redirects"):
        fetcher.fetch(api.redirect(MEDIA, MEDIA))


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (GIF, "image/gif"),
        (WEBP, "image/webp"),
        (HEIC, "image/heic"),
        (b"%PDF-1.7", None),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", None),
        (b"", None),
    ],
)
def test_images_are_told_by_their_first_bytes(head: bytes, kind: str | None) -> None:
    assert sniff(head[:32]) == kind
