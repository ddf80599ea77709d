// The agent and supervisor console at /console.
import { mountAnnouncers } from "./alerts";
import { startConsole } from "./app";
import { mountToasts } from "./context";
import type { SignedIn } from "./api";
import { forgetSignIn, savedSignIn, showSignIn } from "./signin";

function run(me: SignedIn): void {
  void startConsole(me, (reason) => {
    forgetSignIn();
    // A fresh page drops every listener and timer of the old session.
    if (reason) sessionStorage.setItem("livehelp.console.notice", reason);
    location.reload();
  });
  mountAnnouncers();
  mountToasts();
}

function boot(): void {
  const me = savedSignIn();
  if (me) {
    run(me);
    return;
  }
  const notice = sessionStorage.getItem("livehelp.console.notice") ?? undefined;
  sessionStorage.removeItem("livehelp.console.notice");
  showSignIn((signedIn) => run(signedIn), notice);
  mountAnnouncers();
  mountToasts();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
