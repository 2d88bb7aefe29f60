// Loads a knowledge fragment into a page without htmx (the phone pages):
// an element with data-load-fragment="<url>" is replaced by the URL's HTML.
(function () {
  "use strict";
  function load() {
    document.querySelectorAll("[data-load-fragment]").forEach(function (el) {
      fetch(el.getAttribute("data-load-fragment"), { credentials: "same-origin" })
        .then(function (resp) { return resp.ok ? resp.text() : ""; })
        .then(function (html) {
          if (!html.trim()) { el.remove(); return; }
          var box = document.createElement("div");
          box.innerHTML = html;
          el.replaceWith.apply(el, Array.prototype.slice.call(box.childNodes));
        })
        .catch(function () { el.remove(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
