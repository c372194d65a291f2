// The page's focus manager and live region (one per page, made by ui.theme.page_frame), and the behaviour every
// dialog shares: the page behind an open dialog is inert, Tab stays inside the dialog, and closing a dialog
// gives the focus back to the control that opened it. Nothing here is built from data: ids arrive as numbers
// and messages as method arguments, shown as text.

const TABBABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), ' +
  'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
const FIELD = 'input:not([type="hidden"]), textarea, select, [tabindex]:not([tabindex="-1"]), button, a[href]';

function shown(element) {
  return element.isConnected && element.getClientRects().length > 0 && getComputedStyle(element).visibility !== "hidden";
}

function tabbables(root) {
  return [...root.querySelectorAll(TABBABLE)].filter((el) => el.tabIndex >= 0 && shown(el) && !el.closest("[inert]"));
}

// The element itself when it takes the focus, else its first field or button, else itself made focusable.
function focusTarget(element) {
  if (element.matches('input, textarea, select, button, a[href], [tabindex]')) return element;
  const inner = [...element.querySelectorAll(FIELD)].find(shown);
  if (inner) return inner;
  element.setAttribute("tabindex", "-1");
  return element;
}

function focusElement(element) {
  const target = focusTarget(element);
  target.focus();
  return document.activeElement === target;
}

// Focus the element with this DOM id as soon as it is on the page and visible (NiceGUI sends the new elements
// and this call together; Vue renders them a moment later).
function focusWhenShown(domId, tries = 80) {
  const element = document.getElementById(domId);
  if (element && shown(element) && focusElement(element)) return;
  if (tries > 0) setTimeout(() => focusWhenShown(domId, tries - 1), 25);
}

function mainHeading() {
  return document.querySelector("main h1") || document.querySelector("h1") || document.querySelector("main");
}

// ---------------------------------------------------------------- dialogs

const openDialogs = []; // {root, opener, outer}, oldest first
let lastFocused = null;
let previousFocused = null;

// The control that has the focus. A click on a Quasar button focuses its inner "focus helper" span; the control
// is the button round it.
let lastRow = null; // the key of the table row that holds the focus (``data-focus-row``), if any

document.addEventListener(
  "focusin",
  (event) => {
    const control = (event.target.closest && event.target.closest(TABBABLE)) || event.target;
    if (control !== lastFocused) {
      previousFocused = lastFocused;
      lastFocused = control;
    }
    const row = control.closest && control.closest("[data-focus-row]");
    lastRow = row ? row.dataset.focusRow : null;
  },
  true,
);

// A list refreshed under the focus (after Revoke, say) rebuilds its rows: the focus goes to the same row's first
// control when the row is still there, else to the page's heading, never to nowhere.
function focusLost() {
  return !document.activeElement || document.activeElement === document.body;
}

function recoverFocus(tries = 4) {
  if (openDialogs.length > 0 || !focusLost() || !lastFocused || lastFocused.isConnected) return;
  const row = lastRow && [...document.querySelectorAll("[data-focus-row]")].find((r) => r.dataset.focusRow === lastRow);
  const target = row && tabbables(row)[0];
  if (target) {
    target.focus();
  } else if (tries > 0) {
    setTimeout(() => recoverFocus(tries - 1), 50);
  } else {
    const heading = mainHeading();
    if (heading) focusElement(heading);
  }
}

function dialogHolding(element) {
  return element ? openDialogs.find((dialog) => dialog.root.contains(element)) : undefined;
}

// A dialog opened from another one (a confirmation, or the link shown once the form that made it closes)
// remembers that one: when its own opener is gone by the time it closes, the outer dialog's opener takes the focus.
function dialogOpened(root) {
  const opener = lastFocused && root.contains(lastFocused) ? previousFocused : lastFocused;
  openDialogs.push({ root, opener, outer: dialogHolding(opener) });
}

function dialogClosed(closed) {
  const top = openDialogs[openDialogs.length - 1];
  if (top && top.root.contains(document.activeElement)) return; // the next dialog already has the focus
  let via = closed;
  let target = closed.opener;
  const usable = (element) =>
    element && element.isConnected && shown(element) && (top ? top.root.contains(element) : !element.closest(".q-dialog"));
  while (target && !usable(target)) {
    via = via.outer;
    target = via ? via.opener : null;
  }
  if (!target) target = top ? tabbables(top.root)[0] || top.root : mainHeading();
  if (target) focusElement(target);
}

function syncDialogs() {
  const roots = [...document.querySelectorAll('.q-dialog[aria-modal="true"]')];
  for (const root of roots) {  // the new ones first: one may replace, in the same change, the dialog it came from
    if (!openDialogs.some((dialog) => dialog.root === root)) dialogOpened(root);
  }
  const closed = [];
  for (let i = openDialogs.length - 1; i >= 0; i--) {
    if (!roots.includes(openDialogs[i].root)) closed.push(...openDialogs.splice(i, 1));
  }
  const app = document.getElementById("app");
  if (app) app.inert = openDialogs.length > 0;
  openDialogs.forEach((dialog, index) => {
    dialog.root.inert = index < openDialogs.length - 1;
  });
  closed.forEach(dialogClosed);
}

new MutationObserver(() => {
  syncDialogs();
  recoverFocus();
}).observe(document.body, { childList: true, subtree: true });

// Tab and Shift+Tab go round the topmost dialog (also on touch devices, where Quasar does not keep the focus in).
document.addEventListener(
  "keydown",
  (event) => {
    const top = openDialogs[openDialogs.length - 1];
    if (event.key !== "Tab" || !top) return;
    const inside = tabbables(top.root);
    if (inside.length === 0) return;
    const first = inside[0];
    const last = inside[inside.length - 1];
    const active = document.activeElement;
    if (!top.root.contains(active) || (event.shiftKey && active === first) || (!event.shiftKey && active === last)) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  },
  true,
);

// Links of an error summary move the focus to their field (the link's target is the field's wrapper).
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[data-focus-target]");
  if (!link) return;
  const field = document.getElementById(link.dataset.focusTarget);
  if (!field) return;
  event.preventDefault();
  field.scrollIntoView({ block: "center" });
  focusElement(field);
});

export default {
  template: `<div class="sr-only" role="status" aria-live="polite" aria-atomic="true">{{ message }}</div>`,
  data() {
    return { message: "" };
  },
  methods: {
    // Say ``text`` through the live region (emptied first, so that the same text is said again).
    announce(text) {
      this.message = "";
      setTimeout(() => {
        this.message = text;
      }, 120);
    },
    // Move the focus to NiceGUI element ``id`` (its first field when it is a field's wrapper).
    focus(id) {
      focusWhenShown("c" + Number(id));
    },
  },
};
