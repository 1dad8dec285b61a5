"""Everything in FLOWS_DIR, loaded and cross-checked together: the flow, departments, policies, number schemes.

A bundle is immutable once loaded and carries a version (a hash of the files' contents), so a
conversation can say exactly which configuration it ran on.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.flow import Flow, parse_flow
from bot.engine.gather_timing import timing_warnings
from bot.engine.lookalikes import Lookalikes, parse_lookalikes
from bot.engine.synonym_checks import synonym_warnings
from bot.engine.verification_checks import verification_problems
from bot.numbering import SchemeDefinitionError, SchemeSet, NumberError as ValidationError
from bot.records import Handoff, State
from bot.routing import Department, Routing, build_handoff, handoff_context, parse_departments
from bot.verification.policy import Lockout, Policy
from bot.verification.policy_file import PolicyConfig, parse_policy_file
from bot.yaml_source import ConfigError, Problem, Source, load_yaml, parse_yaml

FILES = ("default.yaml", "departments.yaml", "policy.yaml", "numbering.yaml")


@dataclass
class FlowBundle:
    flow: Flow
    routing: Routing
    policies: dict[str, Policy]
    lockout: Lockout
    schemes: SchemeSet
    version: str
    region: str = "GB"
    files: dict[str, str] = field(default_factory=dict)
    # The rest of policy.yaml: velocity limits, department requirements, factor settings.
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    # What `bot flows check` mentions without refusing the files (e.g. a synonym that never routes).
    warnings: list[Problem] = field(default_factory=list)
    # Numbers callers give instead of a customer number, and what they are told (numbering.yaml).
    lookalikes: Lookalikes = field(default_factory=Lookalikes)

    @property
    def departments(self) -> dict[str, Department]:
        return self.routing.departments

    def resolve_department(self, wanted: str | None, state: State) -> str:
        """`$general` is the unverified queue; `$default` is the department the number's prefix gives."""
        if wanted in self.departments:
            return wanted
        # Only a verified caller goes to the team their number belongs to; anyone else to general.
        if wanted == "$default" and state.customer_number and state.verified:
            try:
                prefix = self.schemes.validate(state.customer_number).prefix
            except ValidationError:
                prefix = None
            department = getattr(prefix, "department", None)
            if department in self.departments:
                return department
        return self.routing.general

    def handoff(self, department: str, state: State, *, session_key: str, reason: str,
                segment: str | None = None, customer_status: str | None = None) -> Handoff:
        context = handoff_context(department=department, state=state, session_key=session_key, reason=reason,
                                  segment=segment, customer_status=customer_status)
        return build_handoff(self.routing, department, context)


class _Partial:
    """What the flow checks need from the rest of the bundle while it is still being built. When
    departments.yaml or policy.yaml has a mistake of its own, the names it does define still count,
    so that one mistake there is not repeated as "unknown department" at every use."""

    def __init__(self, routing: Routing | None, policies: dict[str, Policy], languages: list[str],
                 department_names=(), policy_names=()):
        self.departments = routing.departments if routing else dict.fromkeys(department_names)
        self.policies = {**dict.fromkeys(policy_names), **policies}
        self.languages = languages


def read_texts(directory: Path) -> dict[str, str]:
    """The flow files' text by name (lang/<code>.yaml included); ConfigError if one is missing or unreadable."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for name in FILES:
        path = directory / name
        try:
            texts[name] = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            problems.append(Problem(str(path), 1, f"missing: FLOWS_DIR must contain {name}"))
        except UnicodeDecodeError as exc:
            problems.append(Problem(str(path), 1, f"not UTF-8 text ({exc.reason})"))
    # Translations are optional files, one per language: lang/es.yaml and so on.
    for path in sorted((directory / "lang").glob("*.yaml")):
        try:
            texts[f"lang/{path.name}"] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(str(path), 1, f"not UTF-8 text ({exc.reason})"))
    if problems:
        raise ConfigError(problems)
    return texts


def load_bundle(directory: Path, *, region: str = "GB", workflow_sid: str | None = None,
                one_time_codes: bool = False) -> FlowBundle:
    """Load every file; raise ConfigError listing every problem found, with file and line.

    `one_time_codes`: Twilio Verify is configured; without it a flow that sends codes is refused."""
    return bundle_from_texts(read_texts(directory), directory=directory, region=region, workflow_sid=workflow_sid,
                             one_time_codes=one_time_codes)


def bundle_from_texts(texts: dict[str, str], *, directory: Path = Path("flows"), region: str = "GB",
                      workflow_sid: str | None = None, one_time_codes: bool = False) -> FlowBundle:
    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    for name in (*FILES, *sorted(n for n in texts if n.startswith("lang/"))):
        try:
            sources[name] = parse_yaml(texts[name], str(directory / name))
        except ConfigError as exc:
            problems += exc.problems
    if problems:
        raise ConfigError(problems)

    routing, found = parse_departments(sources["departments.yaml"].data, workflow_sid=workflow_sid)
    problems += [sources["departments.yaml"].problem(path, message) for path, message in found]

    policy_config, found_policy = parse_policy_file(sources["policy.yaml"].data)
    problems += [sources["policy.yaml"].problem(path, message) for path, message in found_policy]
    policies, lockout = policy_config.policies, policy_config.lockout

    schemes = None
    try:
        schemes = SchemeSet.from_dict(sources["numbering.yaml"].data)
    except SchemeDefinitionError as exc:
        problems.append(sources["numbering.yaml"].problem(tuple(exc.path), exc.message))

    translations = {name[len("lang/"):-len(".yaml")]: source for name, source in sources.items() if name.startswith("lang/")}
    declared = (sources["default.yaml"].data or {}).get("languages") if isinstance(sources["default.yaml"].data, dict) else None
    flow, found_flow = parse_flow(sources["default.yaml"], _Partial(
        routing, policies, declared if isinstance(declared, list) else ["en"],
        department_names=_names(sources["departments.yaml"].data, "departments"),
        policy_names=_names(sources["policy.yaml"].data, "policies")), translations)
    problems += found_flow
    lookalikes, found_lookalikes = parse_lookalikes(sources["numbering.yaml"],
                                                    flow.languages if flow is not None else ["en"])
    problems += found_lookalikes
    warnings: list[Problem] = []
    if not problems:
        found_checks = verification_problems(flow, routing, schemes, policy_config, one_time_codes=one_time_codes)
        problems += [sources[file].problem(path, message) for file, path, message in found_checks]
        warnings += [sources[file].warning(path, message) for file, path, message in synonym_warnings(flow, routing)]
        warnings += [sources[file].warning(path, message) for file, path, message in timing_warnings(flow, schemes)
                     if file in sources]
    if problems:
        raise ConfigError(problems, warnings)
    return FlowBundle(flow=flow, routing=routing, policies=policies, lockout=lockout, schemes=schemes,
                      version=version_of(texts), region=region, files=dict(texts), policy=policy_config,
                      warnings=warnings, lookalikes=lookalikes)


def version_of(texts: dict[str, str]) -> str:
    """The version of a set of flow files: a hash of their names and contents."""
    digest = hashlib.sha256()
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + texts[name].encode() + b"\0")
    return digest.hexdigest()[:12]


def _names(data, section: str) -> list[str]:
    """The names a file defines under `section`, whatever else is wrong with it."""
    if isinstance(data, dict) and isinstance(data.get(section), dict):
        return [str(name) for name in data[section]]
    return []


__all__ = ["FlowBundle", "load_bundle", "bundle_from_texts", "ConfigError", "load_yaml"]
