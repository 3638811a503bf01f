// Skip logic on the public survey page: show a question only when its earlier answer
// matches. The server applies the same rule, so the page still works without this script.
(function () {
  "use strict";
  var form = document.querySelector(".survey-form");
  if (!form) return;

  function answerOf(key) {
    var q = form.querySelector('[data-key="' + key + '"]');
    if (!q || q.hidden) return null;
    var checked = Array.prototype.map.call(q.querySelectorAll("input:checked"), function (i) {
      return i.value;
    });
    return checked;
  }

  function matches(rule, values) {
    if (!values || values.length === 0) return false;
    if (rule.at_most !== undefined || rule.at_least !== undefined) {
      var n = parseInt(values[0], 10);
      if (isNaN(n)) return false;
      if (rule.at_most !== undefined && n > rule.at_most) return false;
      if (rule.at_least !== undefined && n < rule.at_least) return false;
      return true;
    }
    var wanted = (rule.values || []).map(String);
    return values.some(function (v) { return wanted.indexOf(v) >= 0; });
  }

  function apply() {
    form.querySelectorAll("[data-show-if]").forEach(function (q) {
      var rule = JSON.parse(q.getAttribute("data-show-if"));
      q.hidden = !matches(rule, answerOf(rule.question));
    });
  }

  form.addEventListener("change", apply);
  apply();
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
