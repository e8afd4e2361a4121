// Niceties on top of pages that work without JavaScript: drag-and-drop, upload progress, copy buttons.
// htmx (vendored) does the live updates; this file only listens to its events.
(function () {
  "use strict";

  function humanSize(bytes) {
    var units = ["bytes", "KB", "MB", "GB"], i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
    return (i === 0 ? bytes : bytes.toFixed(1)) + " " + units[i];
  }

  function showChosenFile(zone) {
    var input = zone.querySelector("input[type=file]");
    var label = zone.querySelector(".dz-file");
    if (!input || !label) return;
    var file = input.files && input.files[0];
    label.textContent = file ? "Selected: " + file.name + " (" + humanSize(file.size) + ")" : "";
  }

  function bindDropzone(zone) {
    if (zone.dataset.bound) return;
    zone.dataset.bound = "1";
    var input = zone.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "dragend"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
      if (input && event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    if (input) input.addEventListener("change", function () { showChosenFile(zone); });
  }

  function bindAll(root) {
    root.querySelectorAll(".dropzone").forEach(bindDropzone);
  }

  document.addEventListener("DOMContentLoaded", function () {
    bindAll(document);
    // On a phone the tab bar scrolls sideways: bring the current tab into view.
    var current = document.querySelector(".tabs [aria-current=page]");
    if (current && current.parentNode.scrollWidth > current.parentNode.clientWidth) {
      current.parentNode.scrollLeft = current.offsetLeft - current.parentNode.clientWidth / 2 + current.clientWidth / 2;
    }
  });
  document.addEventListener("htmx:load", function (event) { bindAll(event.detail.elt.parentNode || document); });

  // Upload progress: the bar inside the form that is sending.
  document.addEventListener("htmx:beforeSend", function (event) {
    var bar = event.detail.elt.querySelector && event.detail.elt.querySelector(".upload-progress");
    if (bar) { bar.hidden = false; bar.value = 0; }
    var button = event.detail.elt.querySelector && event.detail.elt.querySelector("button[type=submit]");
    if (button) { button.disabled = true; button.dataset.label = button.textContent; button.textContent = "Uploading…"; }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = event.detail.elt.querySelector && event.detail.elt.querySelector(".upload-progress");
    if (bar && event.detail.lengthComputable) {
      bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    }
  });

  // If the upload got no usable answer (network down, server error), say so and let the learner try again.
  function uploadFailed(event) {
    var form = event.detail.elt;
    if (!form.querySelector || !form.querySelector(".upload-progress")) return;
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = false; button.textContent = button.dataset.label || "Upload and score"; }
    form.querySelector(".upload-progress").hidden = true;
    var note = form.querySelector(".upload-failed") || document.createElement("div");
    note.className = "notice error upload-failed";
    note.setAttribute("role", "alert");
    note.textContent = "The upload did not get through (" + (event.detail.xhr && event.detail.xhr.status ?
      "the hub answered " + event.detail.xhr.status : "no answer from the hub") + "). Check your connection and try again.";
    form.insertBefore(note, form.querySelector(".actions"));
  }
  document.addEventListener("htmx:sendError", uploadFailed);
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status >= 500) uploadFailed(event);
  });

  // A refused upload (400, 413, 429) comes back as the form with its error: show it instead of dropping it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500 && event.detail.requestConfig.elt.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // After a form region is swapped in, move focus to what the learner should read next.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.elt.querySelector && event.detail.elt.querySelector("[data-focus-after-swap]");
    if (target) target.focus();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.value || source.textContent).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });
})();
