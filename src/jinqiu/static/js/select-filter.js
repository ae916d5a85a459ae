// Filter boxes for long selects (SearchableSelect): keep the options whose text contains what was typed.
(function () {
  "use strict";
  function setUp(box) {
    var input = box.querySelector(".select-filter-box");
    var select = box.querySelector("select");
    if (!input || !select || box.dataset.ready) return;
    box.dataset.ready = "1";
    var all = Array.prototype.slice.call(select.options).map(function (o) {
      return { value: o.value, text: o.text, key: o.text.replace(/\s+/g, "").toLowerCase() };
    });
    input.hidden = false;
    input.addEventListener("input", function () {
      var needle = input.value.replace(/\s+/g, "").toLowerCase();
      var chosen = select.value;
      var keep = all.filter(function (o) {
        return !needle || o.value === "" || o.value === chosen || o.key.indexOf(needle) !== -1;
      });
      select.options.length = 0;
      keep.forEach(function (o) {
        select.add(new Option(o.text, o.value, false, o.value === chosen));
      });
      var real = keep.filter(function (o) { return o.value !== ""; });
      if (needle && real.length === 1) select.value = real[0].value;
    });
  }
  function setUpAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-select-filter]"), setUp);
  }
  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  document.addEventListener("htmx:afterSwap", function (e) { setUpAll(e.target); });
})();
