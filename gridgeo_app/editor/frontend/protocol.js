/* The Streamlit custom-component protocol (v1), by hand: no build step, no npm bundle.
   The host posts {type: "streamlit:render", args}; we answer with componentReady,
   setComponentValue and setFrameHeight messages. */
(function () {
  "use strict";
  function send(type, data) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, data), "*");
  }
  var listeners = [];
  window.addEventListener("message", function (event) {
    var msg = event.data;
    if (!msg || msg.type !== "streamlit:render") return;
    listeners.forEach(function (fn) { fn(msg.args || {}, msg); });
  });
  window.Streamlit = {
    onRender: function (fn) { listeners.push(fn); },
    ready: function () { send("streamlit:componentReady", {apiVersion: 1}); },
    setComponentValue: function (value) { send("streamlit:setComponentValue", {value: value, dataType: "json"}); },
    setFrameHeight: function (height) { send("streamlit:setFrameHeight", {height: height}); }
  };
})();
