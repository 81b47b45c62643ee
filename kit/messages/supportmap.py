"""Text of the mutual-aid map (支え合いマップ): vocabulary, errors, findings, the map page."""

# --- vocabulary (ids are stored; labels are shown) ------------------------------------------
MAP_FLAG_LABELS = {
    # concerns (気にかかること)
    "alone": "一人暮らし",
    "elderly_only": "高齢者のみ世帯",
    "needs_watch": "見守りが必要",
    "dementia": "認知症",
    "disability": "障害",
    "hikikomori": "ひきこもり",
    "single_parent": "ひとり親・子育て",
    "care_needed": "要介護",
    "outing_hard": "外出が難しい",
    # roles (支える側)
    "sewayaki": "世話焼きさん",
    "minsei": "民生委員・児童委員",
    "shop_staff": "お店の人",
}
MAP_PLACE_KIND_LABELS = {
    "salon": "サロン",
    "kodomo_shokudo": "子ども食堂",
    "tsudoi": "集いの場",
    "shop": "商店",
    "kominkan": "公民館・集会所",
    "clinic": "診療所・薬局",
    "park": "公園・広場",
    "other": "その他の場所",
}
MAP_LINK_KIND_LABELS = {
    "visit": "訪問",
    "watch": "見守り",
    "errands": "買い物・ゴミ出し支援",
    "chat": "声かけ・おしゃべり",
    "emergency": "緊急連絡先",
    "escort": "送迎・付き添い",
    "attends": "通っている（場所へ）",
}
MAP_STRENGTH_LABELS = {"strong": "いつも（強い）", "occasional": "ときどき"}
MAP_PSEUDONYM = "{letters}さん"
MAP_PLACE_DEFAULT_NAME = "{kind}{number}"

# --- errors ----------------------------------------------------------------------------------
MAP_NODE_NOT_FOUND = "マップ上の人・場所が見つかりません（削除された可能性があります）。"
MAP_LINK_NOT_FOUND = "線が見つかりません（削除された可能性があります）。"
MAP_NODE_DELETED = "「{label}」は削除されています。削除した人・場所には線を引けません。"
MAP_LINK_SELF = "同じ人（場所）どうしには線を引けません。別の相手を選んでください。"
MAP_LINK_DUPLICATE = "「{source}」から「{target}」への「{kind}」の線はもうあります。"
MAP_LINK_OTHER_DISTRICT = "別の地区の人・場所とは線を引けません。"
MAP_LINK_KIND_UNKNOWN = "線の種類の指定が正しくありません。"
MAP_STRENGTH_UNKNOWN = "線の強さの指定が正しくありません。"
MAP_PLACE_KIND_UNKNOWN = "場所の種類の指定が正しくありません。"
MAP_FLAG_UNKNOWN = "印（気にかかること）の指定が正しくありません。"
MAP_FLAGS_ON_PLACE = "場所には人の印（一人暮らしなど）を付けられません。"
MAP_POSITION_INVALID = "位置は数で指定してください。"
MAP_POSITION_OUTSIDE = (
    "位置が地図の外です（横 0〜{width:g}、縦 0〜{height:g} の中に置いてください）。"
)
MAP_LABEL_EMPTY = "呼び名（Aさん・イニシャルなど）を入力してください。"
MAP_LABEL_TOO_LONG = "呼び名は{limit}文字までにしてください。"
MAP_NOTE_TOO_LONG = "メモは{limit}文字までにしてください。"
MAP_AREA_TOO_LONG = "地域（丁目・班など）は{limit}文字までにしてください。"
MAP_OPENING_TOO_LONG = "開いている日は{limit}文字までにしてください。"
MAP_TEXT_HTML = "記号 < と > は使えません（HTML やスクリプトは書けません）。"
MAP_NOTHING_TO_UNDO = "元に戻せる操作はありません。"
MAP_UNDO_IMPOSSIBLE = "この操作は、その後の変更のため元に戻せません。"
MAP_IMAGE_EMPTY = "画像ファイルが空です。"
MAP_IMAGE_TOO_BIG = (
    "画像が大きすぎます（{size_mb:.1f} MB）。{limit_mb} MB までの PNG か JPEG にしてください。"
)
MAP_IMAGE_NOT_IMAGE = (
    "PNG か JPEG の画像ファイルを選んでください（このファイルは画像ではありません）。"
)
MAP_IMAGE_DAMAGED = "画像ファイルが壊れているため読めません。別のファイルを選んでください。"
MAP_SNAPSHOT_DAMAGED = "保存されたマップの記録が壊れているため読めません。"
MAP_NO_DISTRICT = "地区を選んでください。"
MAP_REMOVED_NODE_LABEL = "（削除された人・場所）"

# --- undo descriptions ------------------------------------------------------------------------
MAP_DID_ADD_NODE = "「{label}」を置いた"
MAP_DID_EDIT_NODE = "「{label}」を書き換えた"
MAP_DID_MOVE_NODE = "「{label}」を動かした"
MAP_DID_DELETE_NODE = "「{label}」を消した"
MAP_DID_ADD_LINK = "「{source}→{target}」の線（{kind}）を引いた"
MAP_DID_EDIT_LINK = "「{source}→{target}」の線を書き換えた"
MAP_DID_DELETE_LINK = "「{source}→{target}」の線（{kind}）を消した"
MAP_UNDONE = "元に戻しました：{what}"

# --- findings (気づき) --------------------------------------------------------------------------
MAP_FINDING_LABELS = {
    "isolated": "孤立（つながりなし）",
    "watch_gap": "見守りの空白",
    "key_person": "キーパーソン",
    "far_from_place": "近くに通える場所なし",
}
MAP_FINDING_MEANING = {
    "key_person": "支える側で、多くの人とつながり、つないでいる人（支えを受けている人は含みません）",
}
MAP_REASON_ISOLATED = "つながりなし（線が1本もない）"
MAP_REASON_WATCH_GAP = "見守りが必要・見守る人なし"
MAP_REASON_KEY_OUT = "支える線が{count}本"
MAP_REASON_KEY_BETWEEN = "多くのつながりの要（媒介 {score:.2f}）"
MAP_REASON_FAR = "{flags}・近くに通える場所なし（ます目{cells:g}つ以内）"
MAP_CHANGE_NEW_LINK = "新しいつながり：{source}→{target}（{kind}）"
MAP_CHANGE_REMOVED_LINK = "なくなったつながり：{source}→{target}（{kind}）"
MAP_CHANGE_NEW_PERSON = "新しく加わった人：{label}"
MAP_CHANGE_REMOVED_PERSON = "マップから外れた人：{label}"
MAP_CHANGE_NOT_ISOLATED = "孤立が解消：{label}（線が{count}本に）"
MAP_CHANGE_NEWLY_ISOLATED = "新たに孤立：{label}"
MAP_CHANGE_GAP_FILLED = "見守りの空白が解消：{label}"
MAP_CHANGE_NEW_GAP = "新たな見守りの空白：{label}"

# --- chart ----------------------------------------------------------------------------------
MAP_TRACE_CONCERN = "気にかかる人"
MAP_TRACE_HELPER = "支え手・その他の人"
MAP_TRACE_PLACE = "場所・資源"
MAP_TRACE_OCCASIONAL = "点線＝ときどき"
MAP_TRACE_SELECTED = "選んでいる人・場所"
MAP_TRACE_LINK_START = "線の始まり"
MAP_HOVER_PERSON = "{label}｜{flags}｜{area}"
MAP_HOVER_PLACE = "{label}（{kind}）｜{opening}"
MAP_NO_FLAGS = "印なし"

# --- map page ---------------------------------------------------------------------------------
MAP_APP_TITLE = "支え合いマップ"
MAP_LOADING = "地図を読み込み中…"
MAP_DRAW_FAILED = "地図を描けませんでした。ページを読み込み直してください。"
MAP_APP_DISTRICT = "{district}　{meeting}"
MAP_APP_NO_MEETING = "（会議を選ばずに地区のマップを開いています）"
MAP_CHOOSE_TITLE = "別の地区・会議のマップを開く"
MAP_CHOOSE_DISTRICT = "地区"
MAP_CHOOSE_MEETING = "会議"
MAP_CHOOSE_NO_MEETING = "（会議なし）"
MAP_CHOOSE_OPEN = "このマップを開く"
MAP_TAB_EDIT = "編集"
MAP_TAB_READING = "気づき・変化"
MAP_TAB_FILES = "下絵・配布"
MAP_MODE_LABEL = "地図をクリックすると："
MAP_MODES = {
    "select": "選ぶ",
    "person": "人を置く",
    "place": "場所を置く",
    "link": "線を引く",
    "move": "動かす",
}
MAP_MODE_HINTS = {
    "select": "人や場所をクリックすると、右の欄で印やメモを直せます。",
    "person": "地図の空いているところをクリックすると、人（世帯）を置きます。",
    "place": "地図の空いているところをクリックすると、場所（サロンなど）を置きます。",
    "link": "支える人 → 支えられる人 の順にクリックすると線を引きます。",
    "move": "動かす人・場所をクリックし、次に行き先をクリックします。",
}
MAP_LINK_FROM_PICKED = "「{label}」から線を引きます。支えられる人（行き先）をクリックしてください。"
MAP_MOVE_PICKED = "「{label}」を動かします。行き先をクリックしてください。"
MAP_ADDED_NODE = "「{label}」を置きました。右の欄で印やメモを入れられます。"
MAP_ADDED_LINK = "線を引きました：{source}→{target}（{kind}）"
MAP_MOVED = "「{label}」を動かしました。"
MAP_SAVED = "「{label}」を保存しました。"
MAP_DELETED = "「{label}」を完全に削除しました。"
MAP_LINK_DELETED = "線を消しました（「元に戻す」で戻せます）。"
MAP_NEW_LINK_KIND = "線の種類"
MAP_NEW_LINK_STRENGTH = "線の強さ"
MAP_NEW_PLACE_KIND = "置く場所の種類"
MAP_FORM_TITLE = "選んでいる人・場所"
MAP_FORM_NOTHING = "地図の人・場所をクリックすると、ここで印やメモを直せます。"
MAP_FORM_LABEL = "呼び名"
MAP_FORM_LABEL_HINT = "本名ではなく「Aさん」やイニシャルで書きましょう。"
MAP_FORM_FLAGS = "印"
MAP_FORM_AREA = "地域（丁目・班）"
MAP_FORM_NOTE = "メモ"
MAP_FORM_KIND = "場所の種類"
MAP_FORM_OPENING = "開いている日"
MAP_FORM_SAVE = "保存"
MAP_FORM_DELETE = "この人・場所を削除する"
MAP_FORM_LINKS = "この人・場所の線"
MAP_FORM_LINK_DELETE = "選んだ線を消す"
MAP_FORM_LINK_OPTION = "{source} → {target}（{kind}・{strength}）"
MAP_UNDO = "↶ 元に戻す"
MAP_UNDO_WHAT = "直前の操作：{what}"
MAP_FINDINGS_TOGGLE = "気づきを地図に表示"
MAP_SUMMARY_TITLE = "マップから見えること"
MAP_SUMMARY_COUNTS = "人 {persons}　場所 {places}　線 {links}"
MAP_SUMMARY_NONE = "いまのところ、気になる点は見つかっていません。"
MAP_SUMMARY_MORE = "ほか {count} 件"
MAP_CHANGES_TITLE = "前回の会議からの変化"
MAP_CHANGES_NONE = "前回の会議からの変化はまだありません。"
MAP_CHANGES_NO_BASE = "比べる前回のマップがありません（この地区で初めてのマップです）。"
MAP_BACKGROUND_TITLE = "下絵（住宅地図など）"
MAP_BACKGROUND_UPLOAD = "画像を選ぶ（PNG・JPEG、{limit_mb} MB まで）"
MAP_BACKGROUND_REMOVE = "下絵を外す"
MAP_BACKGROUND_SET = "下絵を入れました。"
MAP_BACKGROUND_REMOVED = "下絵を外しました。"
MAP_HANDOUT = "配布用のマップ（印刷用 HTML）を保存"
MAP_HANDOUT_SAVED = "保存しました：{path}（ブラウザーで開いて印刷できます）"
MAP_PRIVACY_NOTE = (
    "この地図には近所の方の個人的な情報が含まれます。地区の外に持ち出さないでください。"
)

# --- facilitator page (map phase) ---------------------------------------------------------------
MAP_PANEL_TITLE = "支え合いマップの時間"
MAP_PANEL_OPEN = "マップを編集するページを開く"
MAP_PANEL_HINT = "地図の編集は「支え合いマップ」のページで行います（このパソコンだけで開きます）。"
MAP_PANEL_COUNTS_ONLY = (
    "ここには数だけを出しています。名前や気づきの中身は、地図のページで地区の合言葉を入れると見られます。"
)

# --- counts for the council office (事務局へ: 数だけ) -------------------------------------------------
MAP_OFFICE_PERSONS = "マップの人（世帯）"
MAP_OFFICE_PLACES = "マップの場所・資源"
MAP_OFFICE_LINKS = "マップの線"
MAP_OFFICE_CONCERNED = "気にかかる印のある人"
MAP_OFFICE_OTHER = "その他"
MAP_OFFICE_CHANGES = {
    "new_link": "前回から増えた線",
    "removed_link": "前回からなくなった線",
    "not_isolated": "孤立が解消した人",
    "gap_filled": "見守りの空白が解消した人",
}

# --- handout ------------------------------------------------------------------------------------
MAP_HANDOUT_TITLE = "{district} 支え合いマップ"
MAP_HANDOUT_DATE = "作成日 {date}"
MAP_HANDOUT_LEGEND = "凡例"
MAP_HANDOUT_FINDINGS = "マップから見えること"
MAP_HANDOUT_COUNTS = "数のまとめ"
MAP_HANDOUT_FLAGS = "印"
MAP_HANDOUT_LINKS = "線の種類"
MAP_HANDOUT_PLACES = "場所の種類"
MAP_HANDOUT_AREAS = "地域"
MAP_HANDOUT_LINE_SOLID = "実線＝いつも（強い）／点線＝ときどき／矢印は 支える人 → 支えられる人"
