/* Kefu workspace: small progressive enhancements. Every flow also works without them. */
(function () {
  "use strict";

  function openDialog(dialog) {
    if (!dialog || dialog.open) return;
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
    var first = dialog.querySelector("select, textarea, input:not([type=hidden]), button[type=submit]");
    if (first) first.focus();
  }

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-dialog]");
    if (opener) {
      openDialog(document.getElementById(opener.getAttribute("data-dialog")));
      return;
    }
    var closer = event.target.closest("[data-close]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog) dialog.close();
    }
  });

  function initTabs(root) {
    root.querySelectorAll("[data-tabs]").forEach(function (list) {
      var tabs = Array.prototype.slice.call(list.querySelectorAll("[role=tab]"));
      function select(tab, focus) {
        tabs.forEach(function (t) {
          var on = t === tab;
          t.setAttribute("aria-selected", on ? "true" : "false");
          t.tabIndex = on ? 0 : -1;
          var panel = document.getElementById(t.getAttribute("aria-controls"));
          if (panel) panel.hidden = !on;
        });
        if (focus) tab.focus();
      }
      var current = tabs.filter(function (t) { return t.getAttribute("aria-selected") === "true"; })[0] || tabs[0];
      select(current, false);
      tabs.forEach(function (tab, i) {
        tab.addEventListener("click", function () { select(tab, true); });
        tab.addEventListener("keydown", function (e) {
          var next = null;
          if (e.key === "ArrowRight") next = tabs[(i + 1) % tabs.length];
          if (e.key === "ArrowLeft") next = tabs[(i - 1 + tabs.length) % tabs.length];
          if (next) { e.preventDefault(); select(next, true); }
        });
      });
    });
  }

  function initUploads(root) {
    root.querySelectorAll(".upload-form").forEach(function (form) {
      var bar = form.querySelector(".upload-progress");
      var status = form.querySelector(".upload-status");
      form.addEventListener("htmx:xhr:progress", function (evt) {
        if (!bar || !evt.detail.lengthComputable) return;
        bar.hidden = false;
        bar.value = Math.round((evt.detail.loaded / evt.detail.total) * 100);
      });
      form.addEventListener("htmx:beforeRequest", function () {
        if (status) status.textContent = "";
        if (bar) { bar.hidden = false; bar.value = 0; }
      });
      form.addEventListener("htmx:responseError", function (evt) {
        if (bar) bar.hidden = true;
        if (status) status.textContent = evt.detail.xhr.responseText || evt.detail.xhr.statusText;
      });
    });
  }

  function initBoard(root) {
    root.querySelectorAll("[data-board]").forEach(function (board) {
      var form = board.closest("form");
      board.addEventListener("dragstart", function (e) {
        var card = e.target.closest("[data-case]");
        if (!card) return;
        e.dataTransfer.setData("text/plain", card.getAttribute("data-case"));
        e.dataTransfer.effectAllowed = "move";
        card.classList.add("dragging");
      });
      board.addEventListener("dragend", function (e) {
        var card = e.target.closest("[data-case]");
        if (card) card.classList.remove("dragging");
      });
      board.querySelectorAll("[data-handler]").forEach(function (lane) {
        lane.addEventListener("dragover", function (e) { e.preventDefault(); lane.classList.add("drop"); });
        lane.addEventListener("dragleave", function () { lane.classList.remove("drop"); });
        lane.addEventListener("drop", function (e) {
          e.preventDefault();
          lane.classList.remove("drop");
          var caseId = e.dataTransfer.getData("text/plain");
          if (!caseId || !form) return;
          form.querySelectorAll("input[name=cases]").forEach(function (box) { box.checked = box.value === caseId; });
          form.querySelector("select[name=handler]").value = lane.getAttribute("data-handler");
          form.requestSubmit();
        });
      });
    });
  }

  function init(root) {
    initTabs(root);
    initUploads(root);
    initBoard(root);
    root.querySelectorAll("dialog[data-open]").forEach(openDialog);
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
