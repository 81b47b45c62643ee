"""準備: the setup form (a new district typed in) and the join screen on the projector."""

# --- districts (地区) -------------------------------------------------------------------------
DISTRICT_NAME_EMPTY = "地区名を入力してください。"
DISTRICT_NAME_TOO_LONG = "地区名は{limit}文字までにしてください。"
DISTRICT_CITY_TOO_LONG = "市町村名は{limit}文字までにしてください。"
DISTRICT_ID_INVALID = "地区の ID は半角の英数字・「-」「_」で16文字までにしてください。"
DISTRICT_NAME_TAKEN = "「{name}」はすでに ID {id} で登録されています。"
DISTRICT_ID_TAKEN = "ID {id} はすでに「{name}」に使われています。"
DISTRICT_PICK_FIRST = "地区を選ぶか、新しい地区の名前を入力してください。"
SETUP_DISTRICT_NEW_OPTION = "（新しい地区を下に入力）"
SETUP_DISTRICT_NEW = "新しい地区"
SETUP_DISTRICT_NEW_PLACEHOLDER = "例：さくら台地区（一覧にない地区はここに入力）"
SETUP_DISTRICT_ADDED = "地区「{name}」を登録しました。"

# --- the join screen (準備 on the projector) -------------------------------------------------------
JOIN_SCREEN_TITLE = "タブレット・スマホで参加してください"
JOIN_SCREEN_CODE = "参加コード"
JOIN_SCREEN_STEPS = (
    "<ol>"
    "<li>カメラで QR コードを読み取る（または下の URL を入力）</li>"
    "<li>「参加コード」の数字を入れる</li>"
    "<li>お名前（呼び名）を入れて「参加する」を押す</li>"
    "</ol>"
)
JOIN_CORNER_CODE = "参加コード"
QR_LABEL = "参加者のページの QR コード: {url}"
