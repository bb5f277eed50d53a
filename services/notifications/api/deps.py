"""What the routes take: each part the composition root (``main.py``) put on ``app.state``, as an
``Annotated`` dependency, and the curators' key."""

from services.notifications.adapters.subscriptions import Subscriptions
from services.notifications.settings import NotificationsSettings
from services.notifications.usecases.clock import Clock
from services.notifications.usecases.feedback import Feedback
from services.notifications.usecases.privacy import Erasure
from services.notifications.usecases.recipients import Recipients
from services.notifications.usecases.triggers import Triggers
from shared.auth import RequiresRole, Role
from shared.db.aggregates import AggregateStore
from shared.kafka.producer import EventProducer
from shared.vocabularies import VocabularyCopies
from shared.web import app_part

SettingsDep = app_part("settings", NotificationsSettings)
ClockDep = app_part("clock", Clock)
SubscriptionsDep = app_part("subscriptions", Subscriptions)
OptOutsDep = app_part("opt_outs", AggregateStore)
VocabulariesDep = app_part("vocabularies", VocabularyCopies)
TriggersDep = app_part("triggers", Triggers)
RecipientsDep = app_part("recipients", Recipients)
ErasureDep = app_part("erasure", Erasure)
ProducerDep = app_part("producer", EventProducer)
FeedbackDep = app_part("feedback", Feedback)
Curator = RequiresRole(Role.curator)  # a curator's key (401/403 otherwise)
