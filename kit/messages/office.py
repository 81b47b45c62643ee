"""Text of the hand-over (事務局へ提出) and the council office's compile, views and exports."""

# --- hand-over on the facilitator page ---------------------------------------------------------------
HANDOVER_TITLE = "事務局へ提出"
HANDOVER_INTRO = (
    "きょうの会議の結果を、市社協事務局へ渡すファイルに保存します。"
    "困りごと・投票の結果・取組（まとめ）と、支え合いマップの「数」だけが入ります。"
)
HANDOVER_PRIVACY = "参加者の名前、支え合いマップの名前・メモ・位置は入りません。"
HANDOVER_SAVE = "事務局へ提出するファイルを保存"
HANDOVER_SAVED = "保存しました（第{revision}版）。このファイルを事務局へ渡してください。"
HANDOVER_SAVED_WHERE = "保存先フォルダー: {folder}"
HANDOVER_SAVED_NAME = "ファイル名: {name}"
HANDOVER_SAVED_COUNTS = "困りごと {issues} 件・投票 {votes} 件・取組 {actions} 件"
HANDOVER_NOT_SAVED_YET = "まだ保存していません。"
HANDOVER_WRONG_PHASE = "事務局へ提出するファイルは「まとめ」か「終了」の段階で保存できます。"
HANDOVER_WRITE_FAILED = (
    "ファイルを保存できませんでした: {path}。"
    "保存先のフォルダーがあるか、書き込めるか（USB メモリの空きなど）を確かめてください。"
)

# --- reading a result file -------------------------------------------------------------------------
OFFICE_FILE_EMPTY_FILE = "空のファイルです（0 バイト）。保存の途中で止まった可能性があります。"
OFFICE_FILE_TOO_BIG = "ファイルが大きすぎます（{mb} MB まで）。会議結果ファイルではないようです。"
OFFICE_FILE_DAMAGED_ZIP = (
    "ファイルが壊れているか、途中で切れています（zip として読めません）。"
    "地区の進行役にもう一度保存してもらってください。"
)
OFFICE_FILE_NOT_RESULT_FILE = "たすけあい会議の結果ファイルではないので読み飛ばしました。"
OFFICE_FILE_DUPLICATE_MEMBER = "ファイルの中に同じ名前のものが二つあります（壊れています）。"
OFFICE_FILE_MANIFEST_UNREADABLE = "manifest.json が読めません（壊れています）。"
OFFICE_FILE_BAD_VERSION = "形式の版「{version}」が正しくありません。"
OFFICE_FILE_FUTURE_VERSION = (
    "新しい版のキットで作られたファイルです（形式の版 {version}。このキットが読めるのは版 {supported} まで）。"
    "キットを更新してから取り込んでください。"
)
OFFICE_FILE_FIELD_MISSING = "「{field}」がありません"
OFFICE_FILE_FIELD_WRONG_TYPE = "「{field}」の値が正しくありません"
OFFICE_FILE_MANIFEST_INCOMPLETE = "manifest.json に必要な項目が欠けているか、値が正しくありません。"
OFFICE_FILE_MANIFEST_EDITED = (
    "manifest.json が保存後に書き換えられています（チェックサムが合いません）。"
    "進行役のパソコンでもう一度保存してもらってください。"
)
OFFICE_FILE_OTHER_PLAN = (
    "別の活動計画（{theirs}）のファイルです。事務局の計画は「{ours}」です。"
    "ほかの市のファイルが混ざっていないか確かめてください。"
)
OFFICE_FILE_UID_MISMATCH = "会議の識別子が地区・日付・会議名と合いません"
OFFICE_FILE_MISSING_FILES = "ファイルの中に必要な表がありません。"
OFFICE_FILE_EXTRA_FILES = "ファイルの中に、manifest.json に載っていないものがあります。"
OFFICE_FILE_CHECKSUM_MISMATCH = (
    "「{member}」が保存後に書き換えられています（チェックサムが合いません）。"
    "Excel などで開いて保存し直すと、こうなります。元のファイルをもらい直してください。"
)
OFFICE_FILE_CSV_NOT_UTF8 = "「{member}」が UTF-8 の文字として読めません。"
OFFICE_FILE_CSV_BROKEN = "「{member}」が CSV として読めません。"
OFFICE_FILE_CSV_COLUMNS = "「{member}」に必要な列がありません。"
OFFICE_FILE_CSV_ROW = "「{member}」の {line} 行目の列が足りません。"
OFFICE_FILE_CSV_VALUE = (
    "「{member}」の {line} 行目「{column}」の値が正しくありません（計画にない番号など）。"
)
OFFICE_FILE_BAD_REFERENCES = "表どうしの番号が合いません（重複や、ない番号への参照）。"

# --- compiling a folder ------------------------------------------------------------------------------
OFFICE_STATUS_LABELS = {
    "ok": "取り込み",
    "replaced": "新しい版に置き換え",
    "duplicate": "取り込み済み",
    "older": "古い版のため不使用",
    "unrelated": "対象外",
    "error": "エラー",
}
OFFICE_MEETING_LABEL = "{district} {date} の会議（第{revision}版）"
OFFICE_IMPORTED = "{where}を取り込みました。"
OFFICE_REPLACED = "{where}を取り込み、前の第{old}版と置き換えました。"
OFFICE_OLDER_REVISION = "{where}は、より新しい第{newer}版を取り込み済みなので使いません。"
OFFICE_SAME_REVISION_DIFFERS = (
    "{where}は、同じ版で内容の違うファイル（{first}）を取り込み済みです。"
    "先に取り込んだ方を使います。進行役にもう一度保存してもらってください。"
)
OFFICE_DUPLICATE_FILE = "同じファイルを取り込み済みです（{first}）。数えるのは一度だけです。"
OFFICE_UNRELATED_FILE = "会議結果ファイル（.zip）ではないので読み飛ばしました。"
OFFICE_FILE_UNREADABLE = "ファイルを開けませんでした。"
OFFICE_STORE_FAILED = "集計データへの書き込みに失敗しました。このファイルは取り込んでいません。"
OFFICE_FOLDER_MISSING = "フォルダーが見つかりません: {folder}"
OFFICE_FOLDER_NOT_DIR = "フォルダーではありません: {folder}"
OFFICE_FOLDER_EMPTY = "フォルダー（{folder}）に会議結果ファイルがありません。"
OFFICE_PLAN_MISMATCH = (
    "この集計データは活動計画「{stored}」で作られています。"
    "計画「{given}」のファイルは、別の集計データ（office_db_path）で集計してください。"
)
OFFICE_SUMMARY = (
    "{total} 件のファイルを調べました：取り込み {ok}・置き換え {replaced}・取り込み済み {duplicate}・"
    "古い版 {older}・対象外 {unrelated}・エラー {error}"
)
OFFICE_PROGRESS = "集計中… {done}/{total} {name}"
OFFICE_PROGRESS_DONE = "ファイル {total} 件を集計しました"

# --- city views (市全体の集計) --------------------------------------------------------------------------
OFFICE_ALL_YEARS = "すべての年度"
OFFICE_ALL_DISTRICTS = "すべての地区"
OFFICE_FILTER_YEAR_VALUE = "{year}年度"
OFFICE_FILTER_DESCRIBE = "絞り込み：{year}・{district}"
OFFICE_YES = "○"
OFFICE_NO_GOAL = "（重点目標なし）"
OFFICE_TABLE_MEETINGS = "取り込んだ会議"
OFFICE_TABLE_HEATMAP = "地区 × 重点目標：出された困りごとの数"
OFFICE_TABLE_TOP_ITEMS = "各地区の投票で上位になった項目"
OFFICE_TABLE_PRIORITIES = "市全体の優先課題（いくつの地区が上位に挙げたか）"
OFFICE_PRIORITIES_NOTE = (
    "締め切った投票で {n} 位以内に入った項目を重点目標ごとにまとめました。"
    "「得点の割合」は各投票の得点を合計 1 にそろえた値です。"
)
OFFICE_TABLE_COVERAGE = "計画のカバー状況（活動方針ごと）"
OFFICE_COVERAGE_NOTE = (
    "困りごとは重点目標に結びつけて出されるため、その重点目標の困りごとを出した地区、"
    "またはその活動方針の取組を決めた地区を「取り上げた地区」と数えています。"
)
OFFICE_COVERAGE_LABELS = {
    "not_raised": "どの地区も取り上げていない",
    "no_action": "取り上げたが取組なし",
    "action": "取組あり",
}
OFFICE_TABLE_ACTIONS = "地区ごとの取組の状況"
OFFICE_ACTIONS_NOTE = "状況は、その取組を決めた会議のファイルを保存したときのものです。"
OFFICE_ACTION_STATUS_LABELS = {"not_started": "未着手", "in_progress": "進行中", "done": "完了"}
OFFICE_TABLE_ACTION_LIST = "取組の一覧"
OFFICE_TABLE_TURNOUT = "会議ごとの参加者と投票率"
OFFICE_TABLE_MAP = "支え合いマップの数（地区・会議ごと）"
OFFICE_MAP_NOTE = "事務局には数だけが届きます。名前・メモ・位置は地区の外に出ません。"

# --- charts -------------------------------------------------------------------------------------------
OFFICE_CHART_EMPTY = "まだデータがありません（結果ファイルを集計してください）"
OFFICE_HEATMAP_HOVER = "%{y}<br>%{x}<br>困りごと: %{z} 件<extra></extra>"
OFFICE_HEATMAP_COLORBAR = "件数"
OFFICE_PRIORITIES_AXIS = "上位に挙げた地区の数"
OFFICE_PRIORITIES_HOVER = "%{y}<br>地区の数: %{x}<br>例: %{customdata[0]}<extra></extra>"
OFFICE_COVERAGE_RAISED = "取り上げた地区"
OFFICE_COVERAGE_ACTED = "取組のある地区"
OFFICE_COVERAGE_AXIS = "地区の数"
OFFICE_ACTIONS_AXIS = "取組の数"
OFFICE_TURNOUT_AXIS = "投票率（%）"
OFFICE_TURNOUT_HOVER = "%{fullData.name}<br>%{x}<br>投票率 %{y}%（%{customdata[0]}/%{customdata[1]} 人）<extra></extra>"
OFFICE_MAP_AXIS = "人数"

# --- exports ------------------------------------------------------------------------------------------
OFFICE_EXCEL_ABOUT_SHEET = "説明"
OFFICE_EXCEL_ABOUT_TITLE = "たすけあい会議キット 事務局集計"
OFFICE_EXCEL_FILTER = "絞り込み"
OFFICE_EXCEL_MADE = "作成日時"
OFFICE_EXCEL_PRINT_NOTE_KEY = "印刷と形式"
OFFICE_EXCEL_PRINT_NOTE = (
    "どのシートも A4 横・用紙の幅に合わせて印刷され、見出しの行は各ページにくり返し出ます。"
    "日付は日付のセル（yyyy/m/d）、割合は % のセルです。和暦にしたいときはセルの書式を変えてください。"
    "支え合いマップの数は、ここでは区分 × 地区・会議の表です（一覧は CSV に出力されます）。"
)
OFFICE_REPORT_TITLE = "{city} 地区社協の話し合い 集計報告"
OFFICE_REPORT_INTRO = (
    "作成 {made}／{filter}／会議 {meetings} 回・地区 {districts}・困りごと {issues} 件・"
    "投票 {votes} 件・取組 {actions} 件"
)
OFFICE_REPORT_TABLES = "集計表"
HANDOVER_EARLIER = "この会議で保存したファイル（新しいものが下）："

# --- office page (事務局のページ) -------------------------------------------------------------------------
OFFICE_SECTION_COMPILE = "① 結果ファイルを集計する"
OFFICE_COMPILE_HELP = (
    "各地区から届いた会議結果ファイル（.zip）を一つのフォルダーに入れて「集計する」を押してください。"
    "同じファイルを何度集計しても数えるのは一度だけで、同じ会議の新しい版は古い版と置き換わります。"
)
OFFICE_FOLDER_LABEL = "フォルダー"
OFFICE_FOLDER_EMPTY_INPUT = "集計するフォルダーを入力してください。"
OFFICE_COMPILE = "このフォルダーを集計する"
OFFICE_REPORT_HEADERS = ("結果", "ファイル", "内容")
OFFICE_TABLE_MORE = (
    "（{total} 件のうち {shown} 件を表示しています。すべては出力ファイルでご覧ください）"
)
OFFICE_SECTION_VIEWS = "② 市全体の集計"
OFFICE_FILTER_YEAR = "年度"
OFFICE_FILTER_DISTRICT = "地区"
OFFICE_SUMMARY_LINE = (
    "{filter}：会議 {meetings} 回・地区 {districts}・参加者のべ {members} 人・困りごと {issues} 件・"
    "投票 {votes} 件・取組 {actions} 件"
)
OFFICE_TAB_HEATMAP = "地区×重点目標"
OFFICE_TAB_PRIORITIES = "優先課題"
OFFICE_TAB_COVERAGE = "計画のカバー状況"
OFFICE_TAB_ACTIONS = "取組"
OFFICE_TAB_TURNOUT = "参加・投票率"
OFFICE_TAB_MAP = "支え合いマップ"
OFFICE_TAB_MEETINGS = "会議一覧"
OFFICE_SECTION_EXPORT = "③ 出力（Excel・CSV・報告用 HTML）"
OFFICE_EXPORT_HELP = "いまの絞り込みで出力します。保存先: {folder}"
OFFICE_EXPORT_EXCEL = "Excel に出力"
OFFICE_EXPORT_CSV = "CSV に出力"
OFFICE_EXPORT_HTML = "報告用 HTML に出力"
OFFICE_EXPORTED = "出力しました。"
OFFICE_EXPORT_UNKNOWN = "出力の種類が正しくありません。"
OFFICE_CLI_WROTE = "書き出しました: {path}"
OFFICE_FRAMES_NO_DATA = (
    "事務局の集計データがありません: {path}。"
    "先に結果ファイルを集計してください（事務局のページの「集計する」か tasukeai compile フォルダー）。"
)
OFFICE_TABLE_ISSUES = "出された困りごとの一覧"
OFFICE_TABLE_HEATMAP_GRID = "地区 × 重点目標：出された困りごとの数（表）"
OFFICE_TABLE_MAP_GRID = "支え合いマップの数（区分 × 地区・会議）"
OFFICE_GRID_TOTAL = "合計"

# --- bounded import and signatures (issue 12) ---------------------------------------------------
OFFICE_FILE_INFLATES_TOO_MUCH = (
    "展開すると {mb} MB を超えるため読み込みません（設定 import_max_mb）。"
    "会議結果ファイルではないか、壊れた・細工されたファイルです。"
)
OFFICE_FILE_RATIO = (
    "「{member}」の圧縮率が異常です（{ratio} 倍を超えます）。展開せずに読み込みを止めました。"
)
OFFICE_FILE_TOO_MANY_ENTRIES = (
    "中のファイルが多すぎます（{limit} 個まで）。会議結果ファイルではありません。"
)
OFFICE_FILE_TOO_MANY_ROWS = (
    "「{member}」の行が多すぎます（{limit} 行まで。設定 import_max_rows）。"
    "会議結果ファイルとしてありえない量なので、読み込みを止めました。"
)
OFFICE_FILE_LINE_TOO_LONG = "「{member}」に長すぎる行があります。CSV として読めません。"
OFFICE_FILE_MANIFEST_TOO_BIG = "manifest.json が大きすぎます（{kb} KB まで）。"
OFFICE_FILE_BAD_SIGNATURE = "署名が合いません。ファイルが書き換えられたか、壊れています（manifest の署名と中身が一致しません）。"
OFFICE_KEY_CHANGED = (
    "{district}（{district_id}）のファイルですが、これまでと別のパソコンの鍵で署名されています。"
    "なりすましや書き換えのおそれがあるため取り込みません。地区のパソコンを替えたなど理由が"
    "分かっているときだけ、「この地区の新しい鍵を受け入れる」"
    "（tasukeai compile --accept-new-key {district_id}）で取り込んでください。"
)
OFFICE_UNSIGNED_BUT_PINNED = (
    "{district}（{district_id}）のファイルですが、署名がありません。この地区のファイルは"
    "これまで署名付きでした。なりすましのおそれがあるため取り込みません"
    "（理由が分かっているときだけ --accept-new-key {district_id}）。"
)
OFFICE_UNSIGNED_MARK = "【署名なし】"
OFFICE_KEY_PINNED = "（この地区の鍵を登録しました）"
OFFICE_KEY_ACCEPTED = "（この地区の新しい鍵を受け入れました）"
OFFICE_ACCEPT_KEY_LABEL = "鍵が変わった地区"
OFFICE_ACCEPT_KEY_BUTTON = "この地区の新しい鍵を受け入れて取り込む"
OFFICE_ACCEPT_KEY_NONE = "鍵が変わった地区はありません。"
OFFICE_FOLDER_NOT_ALLOWED = (
    "このフォルダーは使えません（{folder}）。結果ファイルのフォルダー（{results}）の中か、"
    "「このフォルダーを使う」で選んだフォルダーにしてください。"
)
OFFICE_FOLDER_SYSTEM = "システムのフォルダー（{folder}）は読み込みません。"
OFFICE_FOLDER_CHOOSE = "このフォルダーを使う"
OFFICE_FOLDER_CHOSEN = "このフォルダーを使えるようにしました: {folder}"
OFFICE_FOLDER_TOO_MANY = (
    "フォルダー（{folder}）のファイルが多すぎます（{limit} 個まで）。結果ファイルのフォルダーを選んでください。"
)
