"""What a page says about its connection to the laptop (tablets, projector, map, office)."""

CONNECTION_LOST = "接続が切れました。Wi-Fi を確かめてください。自動でつなぎ直します"
CONNECTION_RELOADING = "ページを読み込み直しています。そのままお待ちください。"
CONNECTION_BUSY = "処理しています…"
