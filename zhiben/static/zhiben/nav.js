/* The menu's groups (<details class="navgroup">, core.context): one open at a time, as a menu. Opening a group closes
   the others (on a desktop they would lie over one another); a click elsewhere on the page, or Esc, closes it. */
(function () {
  "use strict";
  function others(keep) {
    document.querySelectorAll("details.navgroup[open]").forEach(function (group) {
      if (group !== keep && !group.contains(keep)) group.open = false;
    });
  }
  // "toggle" does not bubble: caught on its way down
  document.addEventListener("toggle", function (event) {
    var group = event.target;
    if (group.matches && group.matches("details.navgroup") && group.open) others(group);
  }, true);
  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element) || !event.target.closest("details.navgroup")) others(null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details.navgroup[open]");
    if (!open) return;
    open.open = false;
    open.querySelector("summary").focus();
  });
})();
