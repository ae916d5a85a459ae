/* The attendance page (orglife/meeting.html): each tap is saved at once, focus stays on the control just
   used, and the status line announces what was saved. Without scripts the 保存 button sends the whole form. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-attendance]");
  if (!form) { return; }
  var live = form.querySelector("[data-live]");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function say(text) { if (live) { live.textContent = text; } }

  function showReason(row) {
    var leave = row.querySelector("input[type=radio][value=leave]");
    row.classList.toggle("is-leave", !!(leave && leave.checked));
  }

  function send(radio, reason) {
    var body = new URLSearchParams();
    body.append("status", radio.value);
    body.append("reason", reason || "");
    return fetch(radio.getAttribute("data-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": token, "Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (data) { say(data.message); return response.ok; });
    }).catch(function () { say(form.getAttribute("data-offline")); });
  }

  form.addEventListener("change", function (event) {
    var target = event.target;
    var row = target.closest("li.att");
    if (!row) { return; }
    if (target.type === "radio") {
      showReason(row);
      if (target.value === "leave") {
        var input = row.querySelector(".att-reason input");
        if (input && input.value.trim()) { send(target, input.value); }
        return;  /* the reason comes next; it is saved when typed */
      }
      send(target, "");
    } else if (target.matches(".att-reason input")) {
      var chosen = row.querySelector("input[type=radio]:checked");
      if (chosen && chosen.value === "leave") { send(chosen, target.value); }
    }
  });
  Array.prototype.forEach.call(form.querySelectorAll("li.att"), showReason);
})();
