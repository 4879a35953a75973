// The mock portal's login: the portal's backend would sign the OSS identity token after a real login; here a
// development-only endpoint does it, and the page hands the token to the widget with OssLiveChat.identify().
document.getElementById("login").addEventListener("click", async () => {
  const button = document.getElementById("login");
  button.disabled = true;
  try {
    const res = await fetch("/demo/identity-token", { method: "POST" });
    if (!res.ok) throw new Error("Login uji tidak tersedia (butuh OSS_IDENTITY_SECRET, bukan production)");
    const login = await res.json();
    await window.OssLiveChat.identify(login.token);
    const who = document.getElementById("who");
    who.textContent = `Masuk sebagai ${login.email}`;
    who.hidden = false;
    button.hidden = true;
  } catch (err) {
    button.disabled = false;
    alert(err.message);
  }
});
