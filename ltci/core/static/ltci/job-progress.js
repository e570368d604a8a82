// The live progress bar of a job's page (issue 16): poll the job's progress (JSON) every two seconds while it
// runs; once it has finished, reload the page so that it shows the result and the error report.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box || box.getAttribute("data-state") !== "running") {
    return;
  }
  var bar = document.getElementById("job-progress-bar");
  var percent = document.getElementById("job-progress-percent");
  var count = document.getElementById("job-progress-count");
  var state = document.getElementById("job-progress-state");
  var message = document.getElementById("job-progress-message");

  function show(status) {
    if (status.percent === null) {
      bar.removeAttribute("value");
      percent.textContent = "";
    } else {
      bar.value = status.percent;
      percent.textContent = status.percent + "%";
    }
    count.textContent = status.total ? "（" + status.done + " / " + status.total + "）" : "";
    state.textContent = status.state_label;
    message.textContent = status.message;
  }

  function poll() {
    fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (status) {
        if (!status) {
          return;
        }
        show(status);
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
