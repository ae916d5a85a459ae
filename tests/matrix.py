"""Shared pieces of the scope matrix (pages: tests/test_scope_matrix.py; API: tests/api/test_api_matrix.py).

An app adds its URLs in `tests/<app>/matrix.py` as `MATRIX: dict[str, Case]` and its API operations as
`OPERATIONS: dict[str, Op]` keyed "METHOD /api/path"; the matrix tests merge every such module, and fail
when a URL or an operation is in none.

What each persona must get, for every page and operation and for an object in scope and one out of scope:
- a persona allowed the action on that object: 2xx (a page: 200 or a redirect);
- a persona that sees the object (its scopes reach it) but whose role lacks the action: 403;
- a persona that does not see the object: 404, and only 404, whatever its role (scope first, then role);
- with no object in the URL: allowed → 2xx, anyone else 403;
- a refused write changes nothing in the database.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from tests.factories import World

PERSONAS = ["bureau", "street", "secretary", "pair", "member", "neighbor", "sysadmin", "secadmin", "auditor",
            "leader"]
STAFF = {"bureau", "street", "secretary", "pair", "neighbor", "leader"}
EDITORS = {"bureau", "street"}
# The 区领导 (leader) holds the bureau's scopes and reads what the bureau reads, writing nothing.
BUREAU_READ = {"bureau", "leader"}

# Who sees the world's objects (scopes, not roles). Anyone else gets 404 for them.
SEES_ZHANG = {"bureau", "street", "secretary", "pair", "member", "leader"}  # the member is 张三
SEES_WANG = {"bureau", "leader"}  # the other street
SEES_BRANCH = {"bureau", "street", "secretary", "leader"}  # 张三's branch and its meetings
SEES_OTHER_BRANCH = {"bureau", "leader"}
SEES_STREET_ORG = {"bureau", "street", "leader"}
SEES_OTHER_STREET_ORG = {"bureau", "leader"}
# Regions, units and frequency rules are reference data that every staff role reads; the admin roles
# and members see none of it.
SEES_STRUCTURE = STAFF


@dataclass
class Case:
    allowed_in: set[str]  # personas answered 200 (or a redirect for POST) on the in-scope object
    allowed_out: set[str] | None = None  # same on the out-of-scope object; None: no object in the URL
    inside: object = None  # world -> kwargs for the in-scope object
    outside: object = None  # world -> kwargs for the out-of-scope object
    method: str = "get"
    data: object = None  # POST data (a dict or world -> dict); for a GET page with a form, the form's POST
    sees_in: set[str] | None = None  # personas who see the in-scope object: refused → 403, others 404
    sees_out: set[str] | None = None  # the same for the out-of-scope object
    writers: tuple[set[str], set[str] | None] | None = None  # who may POST a GET page's form (in, out), if not
    # the readers: a meeting's page is read by the leader, its attendance form is sent by recorders


def on_person(allowed_in, allowed_out=frozenset({"bureau"}), **kw) -> Case:
    """A page about 张三 (in scope) and 王五 (the other street)."""
    return Case(set(allowed_in), set(allowed_out), lambda w: person(w, w.zhang), lambda w: person(w, w.wang),
                sees_in=SEES_ZHANG, sees_out=SEES_WANG, **kw)


def on_org(allowed_in, allowed_out=frozenset({"bureau"}), inside=None, outside=None, **kw) -> Case:
    """A page about 张三's branch (in scope) and the other street's branch."""
    return Case(set(allowed_in), set(allowed_out), inside or (lambda w: {"pk": w.branch.pk}),
                outside or (lambda w: {"pk": w.other_branch.pk}), sees_in=SEES_BRANCH, sees_out=SEES_OTHER_BRANCH,
                **kw)


@dataclass
class Op:
    """One API operation in the matrix.

    `inside`/`outside` give the path parameters of an object in and out of scope. An operation with no
    object in its path has `allowed_out` None; its `body`/`query` (called with (world, "in") and (world,
    "out")) may still name an object, and `refs` says who sees the object named on each side. A persona
    allowed the action that does not see the named object is refused like an id that does not exist (404,
    or 422 on the field), never 403 and never 2xx; one whose role lacks the action gets 403 (before the
    body is read) or the same 404/422.
    """

    allowed_in: set[str]
    allowed_out: set[str] | None = None
    inside: Callable | None = None
    outside: Callable | None = None
    body: object = None  # a dict, or (world, side) -> dict; a write's valid JSON body
    query: object = None  # a dict, or (world, side) -> dict
    sees_in: set[str] | None = None
    sees_out: set[str] | None = None
    refs: tuple[set[str], set[str]] | None = None  # who sees the object the body/query names, in and out


def expected(persona: str, allowed: set[str], sees: set[str] | None) -> int | None:
    """None for allowed (2xx), else the refusal status the persona must get."""
    if persona in allowed:
        return None
    if sees is None:
        return 403
    return 403 if persona in sees else 404


def person(w: World, p):
    return {"pk": p.pk}


def membership_kwargs(w: World, p):
    m = p.memberships.first()
    return {"pk": p.pk, "membership_pk": m.pk}


def active_pairing(w: World, p):
    from jinqiu.accounts import services
    from jinqiu.accounts.models import Pairing

    pairing = Pairing.objects.filter(person=p, ended_on__isnull=True).first()
    if pairing is None:
        # Another contact: pairing the `pair` persona with an out-of-scope person would put them in its scope.
        from jinqiu.accounts.models import Role, User
        from tests.factories import make_user

        other = User.objects.filter(username="pair_other").first() or make_user("pair_other", [Role.PAIR_CONTACT])
        pairing = services.pairing_create(actor=None, contact=other, person=p)
    return {"person_pk": p.pk, "pairing_pk": pairing.pk}


# --- nothing written -------------------------------------------------------------------------------------

# Tables a request may touch without writing data: the session a login keeps, lockout bookkeeping.
VOLATILE_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
VOLATILE_COLUMNS = {"last_login", "last_used_at"}


def db_fingerprint() -> dict[str, list]:
    """Every row of every table (the matrix world is small): equal before and after a refused write."""
    from django.apps import apps

    state = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in VOLATILE_TABLES:
            continue
        columns = [f.attname for f in meta.concrete_fields if f.attname not in VOLATILE_COLUMNS]
        state[meta.label] = list(model._base_manager.order_by("pk").values_list(*columns))
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))


# --- a page's form, as a browser would send it back -------------------------------------------------------


class _FormParser(HTMLParser):
    """The fields of the POST forms of a page: {action: {name: [values]}}."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._form: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False
        self._textarea: str | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = {}
            self.forms.append((a.get("action", ""), self._form))
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name and not name.startswith("csrf"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.setdefault(name, []).append(a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select, self._first_option, self._selected = name, None, False
        elif tag == "option" and self._select:
            self._option = a
        elif tag == "textarea" and name:
            self._textarea = name
            self._form.setdefault(name, []).append("")

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form[self._textarea][-1] += data
        if self._option is not None and "value" not in self._option:
            self._option["value"] = data.strip()

    def handle_endtag(self, tag):
        if tag == "option" and self._select and self._option is not None and self._form is not None:
            value = self._option.get("value", "")
            if self._first_option is None and value:
                self._first_option = value
            if "selected" in self._option:
                self._form.setdefault(self._select, []).append(value)
                self._selected = True
            self._option = None
        elif tag == "select" and self._select and self._form is not None:
            if not self._selected and self._first_option is not None:
                self._form.setdefault(self._select, []).append(self._first_option)
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def page_form(html: str, path: str) -> dict[str, list[str]] | None:
    """The POST form that posts back to the page itself, with the values it was rendered with."""
    parser = _FormParser()
    parser.feed(html)
    own = [fields for action, fields in parser.forms if action in ("", path, ".")]
    return max(own, key=len) if own else None  # the page's own form, not a small one beside it (a reveal)


def app_matrix_modules() -> Iterator[tuple[str, object]]:
    """(name, module) of every tests/<app>/matrix.py: where each app lists its pages and API operations."""
    import tests

    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        name = f"tests.{module.name}.matrix"
        try:
            yield name, importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
