"""Step types by the name flow files use in `type:`."""
from bot.engine.steps.ask import AskStep
from bot.engine.steps.base import Outcome, Step
from bot.engine.steps.collect_number import CollectNumberStep
from bot.engine.steps.identify_caller import IdentifyCallerStep
from bot.engine.steps.one_time_code import OneTimeCodeStep
from bot.engine.steps.language import LanguageStep
from bot.engine.steps.lookup import LookupStep
from bot.engine.steps.menu import MenuStep
from bot.engine.steps.recover_number import RecoverNumberStep
from bot.engine.steps.simple import EndStep, HandoffStep, SayStep
from bot.engine.steps.verify import VerifyStep

STEP_TYPES: dict[str, type[Step]] = {
    cls.type: cls for cls in (SayStep, LanguageStep, CollectNumberStep, AskStep, VerifyStep, MenuStep, HandoffStep, EndStep,
                 OneTimeCodeStep, IdentifyCallerStep, LookupStep, RecoverNumberStep)
}

__all__ = ["STEP_TYPES", "Outcome", "Step"]
