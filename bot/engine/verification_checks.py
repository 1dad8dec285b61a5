"""Cross-checks of policy.yaml against the flow, the departments and the configuration, made when
the bundle loads so that a mistake fails `bot flows check` (and start-up), never a live call:

- every department policy.yaml puts requirements on exists;
- a factor that needs Twilio Verify (a one-time code) is only used when Verify is configured;
- every policy a `verify` step names can pass with the factors the flow's steps can obtain;
- every factor a department requires can be obtained, and every handoff that may reach a
  department requiring a one-time code names a `step_up:` step that sends one.
"""
from __future__ import annotations

from bot.numbering import SchemeSet
from bot.routing import Routing
from bot.verification.factors import FACTORS
from bot.verification.policy_file import PolicyConfig

VERIFY_HELP = ("needs Twilio Verify: set TWILIO_VERIFY_SERVICE_SID (with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN), "
               "or remove it")
SPECIAL = ("$default", "$general", "$selected")

Found = list[tuple[str, tuple, str]]  # (file, path in file, message)


def verification_problems(flow, routing: Routing, schemes: SchemeSet | None, config: PolicyConfig, *,
                          one_time_codes: bool) -> Found:
    found: Found = []
    steps = flow.steps
    obtainable = {name for name, f in FACTORS.items() if f.kind == "observed"}
    obtainable |= {step.get("factor") for step in steps.values() if step.type == "ask"}
    if any(step.type == "one_time_code" for step in steps.values()):
        obtainable |= {name for name, f in FACTORS.items() if f.kind == "possession"}

    for name, step in steps.items():
        if step.type == "one_time_code" and not one_time_codes:
            found.append(("default.yaml", ("steps", name, "type"), f"a one_time_code step {VERIFY_HELP}"))
        if step.type == "verify":
            policy = config.policies.get(step.get("policy"))
            if policy is not None and not policy.passes({f: f in obtainable for f in policy.factors}):
                missing = [f for f in policy.factors if f not in obtainable]
                found.append(("default.yaml", ("steps", name, "policy"),
                              f"policy {policy.name!r} can never pass: no step asks for {', '.join(missing)}"))
    for name, policy in config.policies.items():
        needs = [f for f in policy.factors if FACTORS[f].needs_verify]
        if needs and not one_time_codes:
            found.append(("policy.yaml", ("policies", name), f"{', '.join(needs)} {VERIFY_HELP}"))

    for department, required in config.requirements.items():
        where = ("departments", department)
        if department not in routing.departments:
            found.append(("policy.yaml", where, f"unknown department {department!r}; departments.yaml defines: "
                                                f"{', '.join(sorted(routing.departments))}"))
            continue
        for index, factor in enumerate(required):
            if FACTORS[factor].needs_verify and not one_time_codes:
                found.append(("policy.yaml", where + ("require", index), f"{factor} {VERIFY_HELP}"))
            elif factor not in obtainable:
                found.append(("policy.yaml", where + ("require", index),
                              f"{department} requires {factor}, but no step in the flow asks for it"))

    stepping_up = {d for d, required in config.requirements.items()
                   if any(FACTORS[f].kind == "possession" for f in required)}
    if stepping_up:
        found += _handoffs_step_up(steps, routing, schemes, stepping_up)
    return found


def _handoffs_step_up(steps, routing: Routing, schemes: SchemeSet | None, stepping_up: set[str]) -> Found:
    found: Found = []
    by_prefix = {p.department for scheme in (schemes or ()) for p in scheme.prefixes.values() if p.department}
    default = {routing.general} | by_prefix
    selected = set(default)
    for step in steps.values():
        if step.type == "menu":
            for option in step.get("options") or []:
                department = option.get("department")
                selected |= default if department in SPECIAL else {department}
    for name, step in steps.items():
        if step.type != "handoff":
            continue
        wanted = step.get("department")
        reach = {"$default": default, "$general": {routing.general}, "$selected": selected}.get(wanted, {wanted})
        needing = sorted(reach & stepping_up)
        target = step.get("step_up")
        if needing and not target:
            found.append(("default.yaml", ("steps", name),
                          f"may hand over to {', '.join(needing)}, which policy.yaml says requires a one-time code: "
                          "add `step_up:` naming a one_time_code step"))
        elif target and target in steps and steps[target].type != "one_time_code":
            found.append(("default.yaml", ("steps", name, "step_up"),
                          f"step_up goes to {target!r}, a {steps[target].type} step; expected a one_time_code step"))
    return found
