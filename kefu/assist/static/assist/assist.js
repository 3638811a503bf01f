/* Agent assist in the reply composer: one-click replacement of a flagged phrase with the
   suggested wording, and reply templates inserted at the cursor. The checks themselves come
   from the server (htmx, debounced); without JavaScript the send still checks the reply. */
(function () {
  "use strict";

  function bodyOf(el) {
    var form = el.closest("form[data-assist-composer]");
    return form ? form.querySelector("[data-assist-body]") : null;
  }

  function changed(area) {
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-assist-replace]");
    if (!button) return;
    var area = bodyOf(button);
    if (!area) return;
    var text = area.value;
    var start = parseInt(button.getAttribute("data-replace-start"), 10);
    var end = parseInt(button.getAttribute("data-replace-end"), 10);
    var phrase = button.getAttribute("data-phrase");
    var at = parseInt(button.getAttribute("data-start"), 10);
    if (text.slice(at, at + phrase.length) !== phrase) {
      // The draft changed since the check: replace the phrase where it is now.
      // (Line ends sent as CRLF shift the server's offsets; the clause moves with it.)
      var found = text.indexOf(phrase, Math.max(0, at - 40));
      if (found < 0) found = text.indexOf(phrase);
      if (found < 0) return;
      start += found - at;
      end += found - at;
    }
    var replacement = button.getAttribute("data-replacement");
    area.value = text.slice(0, start) + replacement + text.slice(end);
    area.setSelectionRange(start + replacement.length, start + replacement.length);
    changed(area);
  });

  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-assist-template]");
    if (!select || !select.value) return;
    var tpl = document.getElementById(select.value);
    var area = bodyOf(select);
    select.value = "";
    if (!tpl || !area) return;
    var insert = tpl.content ? tpl.content.textContent : tpl.textContent;
    var pos = area.selectionStart || area.value.length;
    if (!area.value.trim()) {
      area.value = insert;
    } else {
      area.value = area.value.slice(0, pos) + insert + area.value.slice(pos);
    }
    changed(area);
  });
})();
