// The publish and new-version forms: files by drag-and-drop, sent to the REST API with a progress bar.
(function () {
  "use strict";

  function humanSize(bytes) {
    var units = ["bytes", "KB", "MB", "GB"], i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
    return (i === 0 ? bytes : bytes.toFixed(1)) + " " + units[i];
  }

  function bind(form) {
    var zone = form.querySelector("[data-dataset-dropzone]");
    zone.dataset.bound = "1"; // hub.js's one-file dropzone leaves this one alone
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector("#dataset-files-list");
    var progress = form.querySelector("[data-dataset-progress]");
    var status = form.querySelector("[data-dataset-status]");
    var chosen = [];

    function show() {
      list.textContent = "";
      chosen.forEach(function (file) {
        var item = document.createElement("li");
        item.textContent = file.name + " (" + humanSize(file.size) + ")";
        list.appendChild(item);
      });
    }
    function add(files) {
      Array.prototype.forEach.call(files, function (file) {
        chosen = chosen.filter(function (other) { return other.name !== file.name; });
        chosen.push(file);
      });
      show();
    }
    input.addEventListener("change", function () { chosen = []; add(input.files); });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) { add(event.dataTransfer.files); });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.required && !chosen.length) { status.textContent = "Choose at least one file."; return; }
      var most = parseInt(zone.dataset.maxFiles, 10);
      if (most && chosen.length > most) {
        status.textContent = "At most " + most + " files in one upload: publish these, then add the others as a new version (or zip them).";
        return;
      }
      var data = new FormData();
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || field.type === "file" || field.name === "csrfmiddlewaretoken") return;
        if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return;
        data.append(field.name, field.value);
      });
      chosen.forEach(function (file) { data.append("files", file, file.name); });
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-CSRFToken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      request.setRequestHeader("Accept", "application/json");
      progress.hidden = false;
      progress.value = 0;
      status.textContent = "Uploading…";
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          progress.value = Math.round(100 * e.loaded / e.total);
          status.textContent = "Uploading: " + humanSize(e.loaded) + " of " + humanSize(e.total);
        }
      });
      request.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(request.responseText); } catch (ignored) { body = {}; }
        if (request.status === 201) {
          status.textContent = "Published.";
          var target = form.dataset.redirect === "detail" ? body.url : form.dataset.redirect;
          window.location.assign(target);
        } else {
          progress.hidden = true;
          status.textContent = body.error || ("The upload failed (HTTP " + request.status + ").");
        }
      });
      request.addEventListener("error", function () {
        progress.hidden = true;
        status.textContent = "The connection broke off: nothing was stored. Try again.";
      });
      request.send(data);
    });
  }

  document.querySelectorAll("[data-dataset-form]").forEach(bind);
})();
