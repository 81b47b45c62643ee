"""Text of keeping residents' data in the district: the passphrase (合言葉), the two folders,
deleting for good, the retention period and ``tasukeai map purge``."""

# --- passphrase (地区の合言葉) ------------------------------------------------------------------
MAP_PASS_EMPTY = "合言葉を入力してください。"
MAP_PASS_TOO_SHORT = "合言葉は{limit}文字以上にしてください（覚えやすい短い文を、ひらがなで長めに書くのがおすすめです）。"
MAP_PASS_TOO_LONG = "合言葉は{limit}文字までにしてください。"
MAP_PASS_CONTROL = "合言葉に使えない文字（制御文字）が含まれています。"
MAP_PASS_MISMATCH = "確認のために入れた合言葉が一つ目と違います。同じ合言葉を二回入れてください。"
MAP_PASS_WRONG = (
    "合言葉が違います。もう一度入れてください（全角・半角は同じに扱います。"
    "大文字・小文字は区別します）。"
)
MAP_PASS_NOT_SET = "この地区の合言葉はまだ決まっていません。先に合言葉を決めてください。"
MAP_PASS_ALREADY_SET = "この地区の合言葉はもう決まっています。その合言葉で開いてください。"
MAP_PASS_CHANGED_ELSEWHERE = (
    "合言葉が別の画面で変えられました。新しい合言葉でもう一度開いてください。"
)
MAP_LOCKED = "支え合いマップには鍵がかかっています。地図のページで地区の合言葉を入れてください。"
MAP_KEYRING_DAMAGED = "合言葉の記録が壊れているため、支え合いマップを開けません。"
MAP_SEALED_DAMAGED = "支え合いマップの記録が壊れているか書き換えられているため、読めません。"
MAP_NOT_A_STORE = "キットのデータベース（kit.store.open_store で開いたもの）ではありません。"

# the screen before the map
MAP_GATE_TITLE = "支え合いマップを開く"
MAP_GATE_BODY = (
    "この地図には近所の方の個人的な情報が入っているため、パソコンの中では暗号化して"
    "しまってあります。地区の合言葉を入れると開きます。"
)
MAP_GATE_PASSPHRASE = "合言葉"
MAP_GATE_OPEN = "開く"
MAP_GATE_OPENED = "支え合いマップを開きました。"
MAP_GATE_SETUP_TITLE = "はじめに、地区の合言葉を決めてください"
MAP_GATE_SETUP_BODY = (
    "支え合いマップは、この合言葉で暗号化してパソコンにしまいます。パソコンをなくしても、"
    "合言葉を知らない人には中身が読めません。合言葉は紙に書いて、地区の役員が大切に保管してください。"
)
MAP_GATE_MIGRATE_BODY = (
    "このパソコンの支え合いマップは、まだ暗号化されていません。合言葉を決めると、"
    "今までの地図（人・場所・線・メモ・下絵・前回の記録）をそのまま暗号化して移します。何も消えません。"
)
MAP_GATE_NEW = "合言葉（{limit}文字以上）"
MAP_GATE_CONFIRM = "もう一度（確認）"
MAP_GATE_SET = "この合言葉で始める"
MAP_GATE_SET_DONE = "合言葉を決めました。地図は暗号化してしまってあります。"
MAP_FORGET_WARNING = (
    "合言葉を忘れると、地図は二度と開けません（事務局にも、キットを作った人にも戻せません）。"
    "会議のたびに「配布用のマップ」を保存して印刷し、地区で保管してください。"
)
MAP_LOCK = "地図を閉じる（鍵をかける）"
MAP_LOCKED_NOW = "地図を閉じました。もう一度開くには合言葉を入れてください。"

# changing it (files tab)
MAP_PASS_CHANGE_TITLE = "合言葉を変える"
MAP_PASS_CHANGE_OLD = "今の合言葉"
MAP_PASS_CHANGE_NEW = "新しい合言葉"
MAP_PASS_CHANGE_CONFIRM = "新しい合言葉（確認）"
MAP_PASS_CHANGE = "合言葉を変える"
MAP_PASS_CHANGED = "合言葉を変えました（地図をすべて新しい合言葉で暗号化し直しました）。"

# --- two folders, two purposes ---------------------------------------------------------------------
SUBMIT_FOLDER_NAME = "事務局へ提出"
DISTRICT_FOLDER_NAME = "地区で保管（個人情報）"
DISTRICT_FOLDER_README_NAME = "このフォルダーについて.txt"
DISTRICT_FOLDER_README = (
    "このフォルダーには、地区で保管するファイル（配布用の支え合いマップ、地図の控え）が入っています。\n"
    "近所の方の個人的な情報を含みます。事務局へ提出するフォルダーに入れたり、メールで送ったり、\n"
    "地区の外に持ち出したりしないでください。印刷した地図は鍵のかかる場所に保管してください。\n"
)
MAP_HANDOUT_SAVED_PRIVATE = (
    "配布用のマップを保存しました：{path}\n"
    "保存先は地区で保管するフォルダー（{folder}）です。近所の方の個人情報を含むため、"
    "このファイルは地区の外に出さないでください（事務局へ提出するフォルダーやメール、USB で渡さない）。"
)
MAP_BACKUP = "地図の控えを保存（暗号化したまま）"
MAP_BACKUP_SAVED = (
    "地図の控えを保存しました：{path}\n"
    "保存先は地区で保管するフォルダー（{folder}）です。開くには合言葉が要ります。"
    "地区の外に出さないでください。"
)
PRIVATE_FOLDER_REFUSED = (
    "このフォルダー（{folder}）は地区で保管する個人情報のフォルダーなので、事務局の集計には使えません。"
    "「{submit}」フォルダーを選んでください。"
)
PRIVATE_FILE_REFUSED = (
    "このフォルダー（{folder}）には、地区の外に出してはいけない個人情報のファイルが入っています："
    "{files}。集計はしません。そのファイルを地区に返し（削除し）、会議結果ファイル（.zip）だけを入れてください。"
)

# --- deleting for good, retention, purge ----------------------------------------------------------
MAP_DELETE_CONFIRM = (
    "「{label}」を地図から完全に削除します。メモ・印・線も、前回までの記録からも消え、"
    "元に戻せません（事務局へ出す数は残ります）。"
)
MAP_DELETE_YES = "完全に削除する"
MAP_DELETE_NO = "やめる"
MAP_RETENTION_TITLE = "保存期間"
MAP_RETENTION_OFF = "保存期間は決まっていません（設定 map_retention_years で、例えば 5 年を過ぎたデータを消せます）。"
MAP_RETENTION_NONE = "保存期間（{years}年）を過ぎたデータはありません。"
MAP_RETENTION_FOUND = (
    "保存期間（{years}年）を過ぎたデータがあります：{items}件の人・場所（{years}年以上書き換えていない）、"
    "{baselines}回分の会議の記録、{images}枚の下絵。"
)
MAP_RETENTION_DELETE = "保存期間を過ぎたデータを削除する"
MAP_RETENTION_CONFIRM = "本当に削除しますか？ 元に戻せません（事務局へ出す数は残ります）。"
MAP_RETENTION_DONE = (
    "保存期間を過ぎたデータを削除しました（人・場所 {items}件、記録 {baselines}回分）。"
)
MAP_RETENTION_YEARS_INVALID = "保存期間の年数は 1 以上の整数にしてください。"
MAP_PURGE_PROMPT = (
    "{what}の支え合いマップを、すべて完全に削除します（人・場所・線・メモ・下絵・記録。元に戻せません）。\n"
    "事務局へ出した数は残ります。よろしければ「削除」と入力してください: "
)
MAP_PURGE_ALL = "この データベース（{db}）のすべての地区"
MAP_PURGE_DISTRICT = "地区「{district}」"
MAP_PURGE_CANCELLED = "削除しませんでした。"
MAP_PURGE_DONE = (
    "支え合いマップを削除しました（{districts}地区）。データベースの中身も上書きしました。"
)
MAP_PURGE_FILES_DONE = (
    "地区で保管するフォルダー（{folder}）の配布用マップ・地図の控えも削除しました（{count}件）。"
    "印刷した紙は、シュレッダーにかけてください。"
)
MAP_PURGE_NO_DB = "データベースが見つかりません: {path}（--db でファイルを指定してください）"
MAP_RETENTION_CLI_PROMPT = (
    "このデータを完全に削除します（元に戻せません）。よろしければ「削除」と入力してください: "
)
MAP_PURGE_PASSPHRASE_PROMPT = "地区の合言葉: "
MAP_PURGE_WORD = "削除"
MAP_DEMO_PASSPHRASE = "デモの支え合いマップの合言葉：{passphrase}"
