"""Staff logins and the audit log (admins of the community being run), and each
login's own page: its communities, a new password, "log out everywhere"."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from core.accounts.acting import staff_user
from core.accounts.queries import list_staff, recent_audit
from core.accounts.services import (
    AccountError,
    add_staff,
    change_my_password,
    end_my_sessions,
    end_sessions_of,
    remove_member,
    reset_password,
    set_disabled,
    set_role,
)
from staff.auth import ConsoleUser, admin_required
from staff.console import actor, bp, communities, community_id_or_none, core, text
from staff.forms import MyPasswordForm, PasswordForm, StaffUserForm


@bp.route("/accounts", methods=["GET", "POST"])
@admin_required
def accounts() -> Any:
    form = StaffUserForm()
    problem = None
    if request.method == "POST":
        try:
            added = add_staff(
                core(),
                actor=actor(),
                username=form.username.data or "",
                password=form.password.data or "",
                role=form.role.data or "staff",
                phone=(form.phone.data or "").strip() or None,
            )
        except AccountError as exc:
            problem = text(str(exc))
        else:
            flash(text("staff.account.added", username=added.username))
            return redirect(url_for("staff.accounts"))
    return render_template(
        "staff/accounts.html",
        form=form,
        problem=problem,
        users=list_staff(core(), actor=actor()),
        password_form=PasswordForm(),
    ), (422 if problem else 200)


def _stay_logged_in_if_me(user_id: int) -> None:
    """An admin who changed their own account keeps this session (the others end)."""
    if user_id == current_user.id:
        view = staff_user(core(), user_id)
        if view is not None and not view.disabled:
            login_user(ConsoleUser(view))


@bp.post("/accounts/<int:user_id>/role")
@admin_required
def account_role(user_id: int) -> Any:
    try:
        changed = set_role(
            core(), actor=actor(), user_id=user_id, role=request.form.get("role", "")
        )
    except AccountError as exc:
        flash(text(str(exc)))
    else:
        role = text(f"staff.role.{changed.role}")
        flash(text("staff.account.role_changed", username=changed.username, role=role))
    return redirect(url_for("staff.accounts"))


@bp.post("/accounts/<int:user_id>/password")
@admin_required
def account_password(user_id: int) -> Any:
    form = PasswordForm()
    try:
        changed = reset_password(
            core(), actor=actor(), user_id=user_id, password=form.password.data or ""
        )
    except AccountError as exc:
        flash(text(str(exc)))
    else:
        _stay_logged_in_if_me(user_id)
        flash(text("staff.account.password_set", username=changed.username))
    return redirect(url_for("staff.accounts"))


@bp.post("/accounts/<int:user_id>/disable")
@admin_required
def account_disable(user_id: int) -> Any:
    return _set_disabled(user_id, disabled=True)


@bp.post("/accounts/<int:user_id>/enable")
@admin_required
def account_enable(user_id: int) -> Any:
    return _set_disabled(user_id, disabled=False)


def _set_disabled(user_id: int, *, disabled: bool) -> Any:
    try:
        changed = set_disabled(core(), actor=actor(), user_id=user_id, disabled=disabled)
    except AccountError as exc:
        flash(text(str(exc)))
    else:
        key = "staff.account.disabled" if disabled else "staff.account.enabled"
        flash(text(key, username=changed.username))
    return redirect(url_for("staff.accounts"))


@bp.post("/accounts/<int:user_id>/remove")
@admin_required
def account_remove(user_id: int) -> Any:
    """Off this community's list; the login keeps any other community it runs."""
    try:
        removed = remove_member(core(), actor=actor(), user_id=user_id)
    except AccountError as exc:
        flash(text(str(exc)))
    else:
        flash(text("staff.account.removed", username=removed.username))
    return redirect(url_for("staff.accounts"))


@bp.post("/accounts/<int:user_id>/sessions/end")
@admin_required
def account_end_sessions(user_id: int) -> Any:
    ended = end_sessions_of(core(), actor=actor(), user_id=user_id)
    if user_id == current_user.id:
        logout_user()
        flash(text("staff.account.my_sessions_ended"))
        return redirect(url_for("staff.login"))
    flash(text("staff.account.sessions_ended", username=ended.username))
    return redirect(url_for("staff.accounts"))


@bp.get("/audit")
@admin_required
def audit_log() -> Any:
    return render_template("staff/audit.html", entries=recent_audit(core(), actor=actor()))


@bp.route("/me", methods=["GET", "POST"])
def my_account() -> Any:
    """The login's own page: where it works, and a new password (proven by the old one)."""
    form = MyPasswordForm()
    problem = None
    if request.method == "POST":
        try:
            change_my_password(
                core(),
                actor=actor(),
                current=form.current.data or "",
                new=form.password.data or "",
            )
        except AccountError as exc:
            problem = text(str(exc))
        else:
            _stay_logged_in_if_me(current_user.id)
            flash(text("staff.me.password_changed"))
            return redirect(url_for("staff.my_account"))
    return render_template("staff/me.html", form=form, problem=problem, places=communities()), (
        422 if problem else 200
    )


@bp.post("/me/sessions/end")
def my_sessions_end() -> Any:
    """Log out everywhere: this browser, and any other that still holds a cookie."""
    end_my_sessions(core(), user_id=current_user.id, community_id=community_id_or_none())
    logout_user()
    flash(text("staff.account.my_sessions_ended"))
    return redirect(url_for("staff.login"))
