/* tasukeai-kit page helper (inlined into every page by the serving template; no network).
   ipywidgets gives no way to name a slider handle or to make a scrolling box focusable, so
   this fills in what screen readers and keyboards need, whenever the widgets change:
   - every slider handle (role=slider) gets aria-label: the widget's description, else its
     tooltip (ipywidgets puts a widget's `tooltip` as `title` on its description label);
   - scrolling boxes the kit marks (tk-scroll-region and the office report) get tabindex=0
     and a name, so a keyboard can scroll them. */
(function () {
  "use strict";
  var scheduled = false;
  function nameOf(slider) {
    var label = slider.querySelector(":scope > .widget-label");
    var text = label ? label.textContent.trim() : "";
    var tooltip = (label && label.getAttribute("title")) || slider.getAttribute("title") || "";
    return text || tooltip.trim();
  }
  function fix() {
    scheduled = false;
    document.querySelectorAll(".noUi-handle").forEach(function (handle) {
      var slider = handle.closest(".widget-slider, .jupyter-widget-slider, .widget-hslider");
      var name = slider ? nameOf(slider) : "";
      if (name && handle.getAttribute("aria-label") !== name) {
        handle.setAttribute("aria-label", name);
      }
    });
    var boxes = ".tk-scroll-region, .tk-office-report, .tk-map-side .widget-tab-contents,"
      + " .tk-map-side .jupyter-widget-TabPanel-tabContents";
    document.querySelectorAll(boxes).forEach(function (box) {
      if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) {
        var title = (box.getAttribute("title") || "").trim();
        var heading = box.querySelector("h2, h3, h4, th");
        box.setAttribute("aria-label", title || (heading ? heading.textContent.trim() : "一覧"));
      }
    });
  }
  function schedule() {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(fix);
    }
  }
  new MutationObserver(schedule).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["title"],
  });
  document.addEventListener("DOMContentLoaded", schedule);
})();
