"""Which flow bundle a conversation runs on: the live one for a new conversation, the one it
started on for the rest of it. Bundles are parsed once per version and kept (they are immutable);
which version is live is asked of the database every time."""
from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.orm import Session

from bot.engine.bundle import FlowBundle, bundle_from_texts, load_bundle
from bot.store import flow_versions
from bot.store.db import transaction

log = logging.getLogger(__name__)


class FlowRegistry:
    def __init__(self, *, region: str = "GB", workflow_sid: str | None = None, one_time_codes: bool = False):
        self.region = region
        self.workflow_sid = workflow_sid
        # Twilio Verify is configured: without it a version that sends codes is refused (at start-up).
        self.one_time_codes = one_time_codes
        self._bundles: dict[str, FlowBundle] = {}

    def remember(self, bundle: FlowBundle) -> FlowBundle:
        self._bundles.setdefault(bundle.version, bundle)
        return self._bundles[bundle.version]

    def current(self, session: Session) -> FlowBundle:
        version = flow_versions.current_version(session)
        if version is None:
            raise LookupError("no flow version has been published: run `bot flows publish`")
        return self.get(session, version)

    def get(self, session: Session, version: str) -> FlowBundle:
        if version not in self._bundles:
            files = flow_versions.version_files(session, version)
            if files is None:
                raise LookupError(f"flow version {version} is not stored")
            self._bundles[version] = bundle_from_texts(files, region=self.region, workflow_sid=self.workflow_sid,
                                                       one_time_codes=self.one_time_codes)
        return self._bundles[version]

    def bootstrap(self, database_url: str, flows_dir: Path) -> FlowBundle:
        """At start-up: check FLOWS_DIR (a broken file stops start-up); publish it only if nothing
        has ever been published, so `bot flows publish` / `rollback` decide what runs after that."""
        bundle = self.remember(load_bundle(flows_dir, region=self.region, workflow_sid=self.workflow_sid,
                                           one_time_codes=self.one_time_codes))
        with transaction(database_url) as session:
            # Decided under the publications' lock: of two hosts starting at once on a fresh database,
            # one publishes and the other serves what it published.
            if flow_versions.publish_first(session, version=bundle.version, files=bundle.files, by="first start"):
                log.info("published flow version %s from %s (first start)", bundle.version, flows_dir)
                return bundle
            live = self.current(session)
        if live.version != bundle.version:
            log.info("serving published flow version %s; %s holds unpublished changes (%s)",
                     live.version, flows_dir, bundle.version)
        return live
