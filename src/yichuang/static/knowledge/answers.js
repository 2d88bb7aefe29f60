// The knowledge base's answers beside the console, the case intake and the
// one-time notice: "复制答复" copies an answer's text to the clipboard and into
// the text field the clerk last focused on this page (e.g. a notice's remarks).
(function () {
  "use strict";
  var lastField = null;

  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el.closest && el.closest(".kb-answers")) return;
    if (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && (el.type === "text" || el.type === ""))) {
      lastField = el;
    }
  });

  function answerText(button) {
    var holder = button.closest("details, section, .kb-answers");
    var answer = holder && holder.querySelector("[data-answer]");
    return answer ? answer.innerText.replace(/\s+\n/g, "\n").trim() : "";
  }

  function say(button, text) {
    var holder = button.closest("details, section, .kb-answers");
    var status = holder && holder.querySelector("[data-copy-status]");
    if (status) status.textContent = text;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-answer]");
    if (!button) return;
    event.preventDefault();
    var text = answerText(button);
    if (!text) return;
    if (lastField && document.body.contains(lastField)) {
      var sep = lastField.value && !/\s$/.test(lastField.value) ? " " : "";
      lastField.value = lastField.value + sep + text;
      lastField.dispatchEvent(new Event("input", { bubbles: true }));
      say(button, button.dataset.filled || "已填入");
    } else {
      say(button, button.dataset.copied || "已复制");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).catch(function () {});
    }
  });
})();
