"""What ``tasukeai serve`` / ``demo`` / ``settings`` / ``district`` say on the terminal."""

# --- starting: where things are ----------------------------------------------------------------
SERVE_DATA_AT = "会議データ: {path}"
SERVE_LOG_AT = "くわしい記録（うまく動かないときに事務局・詳しい人へ）: {path}"
SERVE_OTHER_ADDRESSES = "　ほかのアドレス（上の URL でつながらないときに試す）:"
SERVE_OTHER_ADDRESS = "　　{url}（{interface}）"
SERVE_NO_QR = "（この画面では QR コードを表示できません。プロジェクターに出る QR コードか、上の URL を使ってください）"
SERVE_IF_TABLETS_CANNOT_CONNECT = (
    "タブレットがつながらないとき: タブレットとこのパソコンが同じ Wi-Fi につながっているか確かめてください。"
    "Windows で「ファイアウォール」の確認が出たら「アクセスを許可する」を選んでください。"
)
SERVE_ONLY_THIS_LAPTOP = (
    "ご注意: このパソコンは、いまどのネットワークにもつながっていません。"
    "このままではタブレットから参加できません（このパソコンの中でだけ開けます）。\n"
    "会場の Wi-Fi につなぐか、パソコンのモバイルホットスポット（テザリング）をオンにしてから、"
    "もう一度起動してください。"
)
SERVE_LOCAL_HOST_ONLY = (
    "ご注意: 待ち受けるアドレスが {host} なので、タブレットからは開けません"
    "（会場で使うときは --host を付けずに起動してください）。"
)
SERVE_RESULTS_DIR_UNUSABLE = (
    "ご注意: 結果ファイルの保存先 {folder} を作れません（{reason}）。"
    "会議の最後に保存できるよう、--results-dir で書き込めるフォルダーを指定してください。"
)
SERVE_STOPPED = "たすけあい会議キットを止めました。"
SERVE_CRASHED = (
    "サーバーが思いがけず止まりました。もう一度起動してください（データは保存されています）。"
    "くわしくは記録ファイル {log} をご覧ください。"
)

# --- refusing to start -------------------------------------------------------------------------
SERVE_PORT_TAKEN = (
    "ポート {port} は、ほかのプログラム（またはすでに起動しているキット）が使っています。"
    "先に動いているほうを止めるか、別の番号で起動してください（例: --port {next}）。"
)
SERVE_PORT_DENIED = (
    "ポート {port} を使う許可がありません。1024 以上の番号で起動してください（例: --port 8866）。"
)
SERVE_PORT_OTHER = "ポート {port} で待ち受けられませんでした（{reason}）。"
SERVE_HOST_UNKNOWN = "待ち受けるアドレス「{host}」がわかりません。--host を確かめてください。"
SERVE_HOST_NOT_HERE = "待ち受けるアドレス {host} はこのパソコンのものではありません。--host を付けずに起動してください。"
SERVE_ALREADY_RUNNING = (
    "このデータベース（{path}）では、すでに「たすけあい会議キット」が動いています{which}。"
    "同じデータベースで2つ目は起動できません。動いているほうをそのまま使うか、"
    "その画面で Ctrl+C を押して止めてから起動してください。"
)
SERVE_RUNNING_PID = "プロセス番号 {pid}"
SERVE_RUNNING_URL = "参加者のページ {url}"
SERVE_RUNNING_SINCE = "{started} から"
SERVE_DB_FOLDER_CANNOT_MAKE = (
    "会議データを置くフォルダー {folder} を作れませんでした（{reason}）。"
    "--db で、書き込める場所のファイルを指定してください。"
)
SERVE_DB_FOLDER_NOT_FOLDER = (
    "{folder} はフォルダーではありません。--db で会議データのファイルの場所を指定し直してください。"
)
SERVE_DB_NOT_FILE = "{path} はファイルではありません（フォルダーです）。--db で .sqlite ファイルを指定してください。"
SERVE_DB_FOLDER_READ_ONLY = (
    "会議データを置くフォルダー {folder} に書き込めません（読み取り専用です）。"
    "書き込めるフォルダーを --db で指定するか、フォルダーの読み取り専用を外してください。"
)
SERVE_DB_FOLDER_UNUSABLE = "会議データを置くフォルダー {folder} が使えません（{reason}）。"
SERVE_DB_FILE_READ_ONLY = (
    "会議データのファイル {path} に書き込めません（読み取り専用です）。"
    "ファイルの読み取り専用を外すか、別のファイルを --db で指定してください。"
    "（データは変更していません）"
)
SERVE_DB_CANNOT_OPEN = "会議データのファイル {path} を開けませんでした（{reason}）。"
SERVE_DISK_FULL = (
    "ディスクがいっぱいで、{folder} に会議データを書き込めません。"
    "不要なファイルを消して空きを作るか、別の場所を --db で指定してください。（データは変更していません）"
)
SERVE_TRANSPORT_MISSING = "この環境ではカーネルのつなぎ方「ipc」が使えません。--kernel-transport tcp を付けて起動してください。"

# --- tasukeai settings -------------------------------------------------------------------------
SETTINGS_HEADER = (
    "いま使われる設定（既定値に、環境変数 TASUKEAI_… と、このコマンドに付けた引数を当てたもの）:"
)
SETTINGS_LINE = "{name} = {value}（{source}）\n    {help}　変え方: {flag} または {env}"

# --- tasukeai district ---------------------------------------------------------------------------
DISTRICT_ADDED = "地区を登録しました: {name}（ID {id}）"
DISTRICT_EXISTS = "地区はすでに登録されています: {name}（ID {id}）"
DISTRICT_LIST_HEADER = "ID\t地区名\t市町村"
DISTRICT_LIST_EMPTY = "まだ地区はありません。`tasukeai district add 地区名` で登録できます。"

# --- page titles (<title>, the browser tab): each notebook's metadata "title" (a test checks) ---
PAGE_TITLES = {
    "member.ipynb": "参加者のページ",
    "facilitator.ipynb": "進行役のページ",
    "map.ipynb": "支え合いマップ",
    "office.ipynb": "事務局のページ",
    "office_analysis.ipynb": "事務局の分析（JupyterLab）",
}
