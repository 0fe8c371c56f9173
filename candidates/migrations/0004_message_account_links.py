"""Emails whose link logs in or changes an account are stored without it; rows stored whole
before this migration are redacted, and those still waiting to leave get their link made at
delivery, like new ones."""

import re
from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import candidates.models

ACCOUNT_LINK = r"https?://[^\s\"'<>]*/compte/(?:activer|mot-de-passe/nouveau|adresse-electronique/confirmer)/[^\s\"'<>]*"
ANCHOR = re.compile(r"<a\b[^>]*href=\"" + ACCOUNT_LINK + r"\"[^>]*>.*?</a>", re.S)
BARE = re.compile(ACCOUNT_LINK)
WITHHELD = ("[Lien personnel retiré : il a été envoyé par courriel et n'est conservé nulle part ailleurs. "
            "Valable jusqu'au {until} (heure de Paris).]")
PURPOSES = {"activation:": "activation", "password-reset:": "password_reset", "email-change:": "email_change"}


def redact_account_links(apps, schema_editor):
    from django.utils import timezone
    from django.utils.formats import date_format

    Message = apps.get_model("candidates", "Message")
    activation = timedelta(hours=settings.ACCOUNT_ACTIVATION_HOURS)
    for prefix, purpose in PURPOSES.items():
        for message in Message.objects.filter(event_key__startswith=prefix).select_related("recipient").iterator():
            if purpose == "activation":
                until = message.recipient.date_joined + activation
            elif purpose == "password_reset":
                until = message.created_at + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
                message.event_key = f"password-reset:{message.recipient_id}:redacted-{message.pk}"  # held the token
            else:
                until = message.created_at + timedelta(hours=48)
                message.link_data = {"from": message.recipient.email}
            sentence = WITHHELD.format(until=date_format(timezone.localtime(until), "j F Y à H\\hi"))
            message.body_text = BARE.sub(sentence, message.body_text)
            message.body_html = BARE.sub(sentence, ANCHOR.sub(sentence, message.body_html))
            message.link_purpose, message.link_valid_until = purpose, until
            message.save(update_fields=["body_text", "body_html", "event_key", "link_purpose", "link_valid_until", "link_data"])


class Migration(migrations.Migration):

    dependencies = [
        ('candidates', '0003_profile_change_after_lock'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='link_data',
            field=models.JSONField(blank=True, default=dict, verbose_name='données du lien'),
        ),
        migrations.AddField(
            model_name='message',
            name='link_purpose',
            field=models.CharField(blank=True, choices=[('activation', 'activation du compte'), ('password_reset', 'nouveau mot de passe'), ('email_change', "changement d'adresse électronique")], help_text="Le lien n'est jamais conservé : il est fabriqué à l'envoi du courriel.", max_length=20, verbose_name='lien personnel'),
        ),
        migrations.AddField(
            model_name='message',
            name='link_valid_until',
            field=models.DateTimeField(blank=True, null=True, verbose_name="lien valable jusqu'au"),
        ),
        migrations.AlterField(
            model_name='message',
            name='recipient',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='messages', to=settings.AUTH_USER_MODEL, verbose_name='destinataire'),
        ),
        migrations.AlterField(
            model_name='user',
            name='first_name',
            field=models.CharField(blank=True, max_length=150, validators=[candidates.models.validate_person_name], verbose_name='prénoms'),
        ),
        migrations.AlterField(
            model_name='user',
            name='last_name',
            field=models.CharField(blank=True, max_length=150, validators=[candidates.models.validate_person_name], verbose_name='nom'),
        ),
        migrations.RunPython(redact_account_links, migrations.RunPython.noop),
    ]
