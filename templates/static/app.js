// Progressive enhancement only: every task works without this file.
// - the OTP page's resend button waits out its countdown;
// - uploads show a progress bar and then follow the server's redirect, back at the form.
"use strict";
(function () {
	document.querySelectorAll("[data-countdown]").forEach(function (el) {
		var left = parseInt(el.getAttribute("data-countdown"), 10) || 0;
		var button = document.getElementById("resend");
		if (button && left > 0)
			button.disabled = true;
		var timer = setInterval(function () {
			left -= 1;
			el.textContent = String(Math.max(left, 0));
			if (left <= 0) {
				clearInterval(timer);
				if (button)
					button.disabled = false;
				var note = document.getElementById("resend-timer");
				if (note)
					note.hidden = true;
			}
		}, 1000);
	});

	// "select all" of a list of ticks (the no-script form has its own "approve all")
	document.querySelectorAll("[data-select-all]").forEach(function (all) {
		var form = all.form, name = all.getAttribute("data-select-all");
		var boxes = form.querySelectorAll("input[type=checkbox][name='" + name + "']:not(:disabled)");
		all.closest(".select-all").hidden = false;
		all.addEventListener("change", function () {
			boxes.forEach(function (b) { b.checked = all.checked; });
		});
	});

	// many letters are signed one by one: say so while the server works
	document.querySelectorAll("form[data-signing]").forEach(function (form) {
		form.addEventListener("submit", function (ev) {
			var n = form.querySelectorAll("input[name=employee_id]:checked").length;
			var all = ev.submitter && ev.submitter.name === "all";
			var note = form.querySelector("#signing");
			if (!note)
				return;
			note.querySelector("span").textContent = form.getAttribute("data-signing") +
			    (all ? "" : " (" + n + ")");
			note.hidden = false;
			form.querySelectorAll("button").forEach(function (b) {
				// a disabled submitter would not be sent: disable only after this turn
				setTimeout(function () { b.disabled = true; }, 0);
			});
		});
	});

	document.querySelectorAll("form.upload").forEach(function (form) {
		form.addEventListener("submit", function (ev) {
			var bar = form.querySelector("progress");
			if (!window.FormData || !bar)
				return;
			ev.preventDefault();
			var xhr = new XMLHttpRequest();
			var buttons = form.querySelectorAll("button");
			buttons.forEach(function (b) { b.disabled = true; });
			bar.hidden = false;
			xhr.upload.addEventListener("progress", function (e) {
				if (e.lengthComputable)
					bar.value = Math.round(100 * e.loaded / e.total);
			});
			xhr.addEventListener("load", function () {
				var to = xhr.responseURL || "";
				if (to && to.indexOf(form.getAttribute("action")) < 0) {
					// followed the server's redirect: load that page for real, back at
					// the section of the form (an XHR's address loses the #fragment)
					var sec = form.closest("section[id]");
					window.location.assign(to.split("#")[0] + (sec ? "#" + sec.id : ""));
					return;
				}
				// an error page in answer to the post itself: show it as it came
				var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
				document.title = doc.title;
				document.body.replaceWith(doc.body);
			});
			xhr.addEventListener("error", function () { form.submit(); });
			xhr.open("POST", form.action);
			xhr.send(new FormData(form));
		});
	});
})();
