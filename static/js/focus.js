// Keyboard focus survives htmx swaps (auto-refresh, tabs, "Load more", a decided request card).
// htmx puts focus back only on an element with an id; any other focused element is swapped away and focus
// falls to the page body, so a keyboard or screen-reader user starts again from the top. Here the focused
// element is found again in the new content by what it is (tag, link or action, name, value, label, text);
// when it is gone, the swapped region itself takes the focus, never the body.
(function () {
  "use strict";
  var ATTRIBUTES = ["href", "name", "value", "type", "hx-get", "hx-post", "aria-label"];
  var lastFocused = null;
  var pending = null;

  // What the element is: its tag, the region (closest ancestor with an id), the attributes that say what
  // it does (its form's action too, for a submit button), and its text.
  function fingerprint(element) {
    var region = element.parentElement && element.parentElement.closest("[id]");
    var values = ATTRIBUTES.map(function (name) { return element.getAttribute(name) || ""; });
    values.push(element.form ? element.form.getAttribute("action") || "" : "");
    return {
      tag: element.tagName,
      region: region ? region.id : "",
      identity: values.join("\u0000"),
      specific: values.some(function (value, index) { return value && ATTRIBUTES[index] !== "type"; }),
      text: (element.textContent || "").trim()
    };
  }

  // The same element in the new content: everything equal, or all but the text (e.g. "Approve (1 of 2)"
  // becomes "Approve (2 of 2)") when its attributes alone tell it apart.
  function findAgain(wanted) {
    var loose = null;
    var candidates = document.getElementsByTagName(wanted.tag);
    for (var i = 0; i < candidates.length; i++) {
      var found = fingerprint(candidates[i]);
      if (found.region !== wanted.region || found.identity !== wanted.identity) { continue; }
      if (found.text === wanted.text) { return candidates[i]; }
      if (wanted.specific && !loose) { loose = candidates[i]; }
    }
    return loose;
  }

  // The region the swap filled: the target itself (inner swaps), its replacement with the same id, or
  // the first new element where the old target was (an outer swap of an element without an id).
  function swappedRegion(saved) {
    var target = saved.target;
    if (document.body.contains(target)) { return target; }
    if (target.id && document.getElementById(target.id)) { return document.getElementById(target.id); }
    if (saved.previous && document.body.contains(saved.previous)) { return saved.previous.nextElementSibling; }
    return saved.parent && document.body.contains(saved.parent) ? saved.parent.firstElementChild : null;
  }

  function focusRegion(region) {
    if (!region) { return; }
    if (!region.hasAttribute("tabindex") && region.tabIndex < 0) { region.setAttribute("tabindex", "-1"); }
    region.focus({ preventScroll: true });
  }

  document.addEventListener("focusin", function (event) { lastFocused = event.target; });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var focused = document.activeElement;
    // A focused button that htmx disables while its request runs (hx-disabled-elt) loses the focus to <body>.
    if ((!focused || focused === document.body) && lastFocused && lastFocused.disabled) { focused = lastFocused; }
    pending = null;
    if (target && focused && focused !== document.body && target.contains(focused)) {
      pending = {
        target: target,
        parent: target.parentElement,
        previous: target.previousElementSibling,
        element: focused,
        fingerprint: fingerprint(focused)
      };
    }
  });

  // Every swap of the response (out-of-band ones too) is done when the first afterSwap event fires.
  document.addEventListener("htmx:afterSwap", function (event) {
    var saved = pending;
    if (!saved || event.detail.target !== saved.target) { return; }
    pending = null;
    if (document.body.contains(saved.element)) { return; } // not swapped away
    var active = document.activeElement;
    if (active && active !== document.body) { return; } // htmx found it again by its id
    var again = findAgain(saved.fingerprint);
    if (again) {
      again.focus({ preventScroll: true });
    } else {
      focusRegion(swappedRegion(saved));
    }
  });
})();
