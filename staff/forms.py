"""The console's forms (Flask-WTF, for the CSRF token and field rendering).

Fields are plain text (choices too: the templates list them) on purpose: values are
parsed and checked in the views and the core, whose problems are catalog keys shown in
the staff member's language, rather than WTForms' built-in English messages.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    StringField,
    TextAreaField,
)


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class LoginForm(FlaskForm):
    username = StringField()
    password = PasswordField()


class DealForm(FlaskForm):
    title_zh = StringField()
    title_en = StringField()
    unit = StringField()
    price = StringField()
    market_price = StringField()
    min_units = StringField()
    stock_cap = StringField()
    limit = StringField()
    opens_at = StringField()
    closes_at = StringField()
    pickup_start = StringField()
    pickup_end = StringField()
    pickup_place = StringField()
    supplier = StringField()
    aliases = StringField()
    if_short = StringField()
    extend_hours = StringField()
    open_now = BooleanField()


class ResidentForm(FlaskForm):
    phone = StringField()
    name = StringField()
    building = StringField()
    unit = StringField()
    room = StringField()
    language = StringField()
    landline = BooleanField()
    opted_out = BooleanField()
    voice_pace = StringField()
    notes = TextAreaField()


class OrderForm(FlaskForm):
    """An order entered for a resident who walked in or phoned; 0 cancels it."""

    phone = StringField()
    quantity = StringField()


class ImportForm(FlaskForm):
    file = FileField()
    allow_other_countries = BooleanField()


class ReminderForm(FlaskForm):
    text = TextAreaField()
    confirmed = HiddenField()
    batch = HiddenField()  # made with the preview: sending the same form twice sends once


class HelpReplyForm(FlaskForm):
    """A staff answer to a help item: previewed (characters, segments), then sent once."""

    text = TextAreaField()
    token = HiddenField()  # made with the page: the same form sent twice sends once


class StaffUserForm(FlaskForm):
    username = StringField()
    password = PasswordField()
    role = StringField()
    phone = StringField()


class PasswordForm(FlaskForm):
    password = PasswordField()


class MyPasswordForm(FlaskForm):
    """A login's own new password, with the current one as proof."""

    current = PasswordField()
    password = PasswordField()
