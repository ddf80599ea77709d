// The sign-in page. The token is kept in sessionStorage, so a reload stays signed in but a new tab signs in anew.
import { h } from "../sdk/dom";
import { LiveHelpError } from "../sdk/session";
import { type SignedIn, signIn } from "./api";
import { t } from "./strings";
import { field } from "./ui";

const KEY = "livehelp.console.auth";

export function savedSignIn(): SignedIn | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as SignedIn | null;
    return value && typeof value.token === "string" && typeof value.agentId === "string" ? value : null;
  } catch {
    return null;
  }
}

export function forgetSignIn(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem("livehelp.console.selected");
}

export function showSignIn(onSignedIn: (me: SignedIn) => void, notice?: string): void {
  const username = h("input", { class: "input", name: "username", autocomplete: "username", required: true, autocapitalize: "off", spellcheck: "false" });
  const password = h("input", { class: "input", name: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("p", { class: "form-error", role: "alert" }, notice ?? "");
  const submit = h("button", { type: "submit", class: "button button--primary button--block" }, t.signIn);
  const form = h("form", { class: "form", "aria-labelledby": "signin-heading" },
    field(t.username, username),
    field(t.password, password),
    error,
    submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    if (!username.value.trim() || !password.value) {
      error.textContent = t.signInFailed;
      return;
    }
    submit.disabled = true;
    submit.textContent = t.signingIn;
    try {
      const me = await signIn(username.value.trim(), password.value);
      sessionStorage.setItem(KEY, JSON.stringify(me));
      onSignedIn(me);
    } catch (err) {
      const code = LiveHelpError.from(err).code;
      error.textContent = code === "unauthorized" || code === "invalid_input" ? t.signInFailed
        : code === "rate_limited" ? t.signInLocked : t.genericError;
      submit.disabled = false;
      submit.textContent = t.signIn;
      password.select();
    }
  });
  document.title = t.pageTitle;
  document.body.replaceChildren(
    h("main", { class: "signin" },
      h("div", { class: "signin__card" },
        h("div", { class: "brand brand--large" },
          h("span", { class: "brand__mark", "aria-hidden": "true" }),
          h("span", { class: "brand__name" }, t.appName),
          h("span", { class: "brand__sub" }, t.consoleName)),
        h("h1", { id: "signin-heading", class: "signin__title" }, t.signInHeading),
        h("p", { class: "muted" }, t.signInIntro),
        form)));
  username.focus();
}
