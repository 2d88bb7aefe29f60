// Intake: <input data-filter-for="ID"> narrows the options of <select id="ID">
// to those whose text contains what was typed; a single match is chosen.
(function () {
  "use strict";
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box || !box.matches || !box.matches("input[data-filter-for]")) return;
    var select = document.getElementById(box.getAttribute("data-filter-for"));
    if (!select) return;
    var words = box.value.trim().toLowerCase();
    var shown = [];
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) return;
      var match = !words || option.text.toLowerCase().indexOf(words) !== -1;
      option.hidden = !match;
      if (match) shown.push(option);
    });
    if (words && shown.length === 1) select.value = shown[0].value;
    var count = document.getElementById(box.getAttribute("data-filter-for") + "-count");
    if (count) count.textContent = String(shown.length);
  });
})();
