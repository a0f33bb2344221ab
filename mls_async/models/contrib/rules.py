"""The original's rule models: information notices, the Xbox Cloud offer and T world greetings."""

from __future__ import annotations

import random
from typing import Any

from mls_async.models._base import MLSModelError
from mls_async.models._generic import MLSRuleModel
from mls_async.models.contrib._rows import require

__all__ = ["InfoDefectRuleModel", "InfoUnpaidRuleModel", "TwRandomGreetingRuleModel", "VasXcloudRuleModel"]


class _CheckedRuleModel(MLSRuleModel):
    def _checked(self, x: Any) -> list[Any]:
        if not isinstance(x, (list, tuple)) or len(self.features or []) != len(x):
            raise MLSModelError("The length of input is different from that of features in model.json")
        return list(x)


class InfoUnpaidRuleModel(_CheckedRuleModel):
    """The unpaid-bill notice when the first feature is ``"Y"``."""

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        if self._checked(x)[0] != "Y":
            return {"items": []}
        return {"items": [{"id": "INF0000001", "name": "미납 요금 및 납부 안내", "type": "info_unpaid", "props": {}}]}


class InfoDefectRuleModel(_CheckedRuleModel):
    """The early-defect notice within 30 days of subscribing or of changing the device."""

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        row = self._checked(x)
        svc_scrb_period = row[0] if row[0] is not None else -1
        eqp_chg_period = row[1] if row[1] is not None else 99999
        if svc_scrb_period <= 30 or 1 <= eqp_chg_period <= 30:
            return {
                "items": [{"id": "INF0000004", "name": "초기 불량 대처 방법 안내", "props": {}, "type": "info_defect"}]
            }
        return {"items": []}


class VasXcloudRuleModel(_CheckedRuleModel):
    """Game Pass Ultimate for gamers or video/night users aged 19-55 spending 30,000 or more.

    ``x``: age, real_arpu_bf_m1, app_use_traffic_game, app_use_days_video_median_yn,
    data_use_night_ratio_median_yn.
    """

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        row = self._checked(x)
        age = row[0] if row[0] is not None else 0
        arpu = row[1] if row[1] is not None else 0
        game_traffic = row[2] if row[2] is not None else 0
        video_yn = row[3] or "N"
        night_yn = row[4] or "N"
        if 19 <= age <= 55 and arpu >= 30000 and (game_traffic > 0 or video_yn == "Y" or night_yn == "Y"):
            return {
                "items": [
                    {
                        "id": "NA00007114",
                        "name": "게임패스 얼티밋",
                        "type": "vas_xcloud",
                        "props": {"context_id": "context_default"},
                    }
                ]
            }
        return {"items": []}


class TwRandomGreetingRuleModel(MLSRuleModel):
    """T world greetings: a random image type, a random text type and the greeting ranking.

    ``greeting_ids_shuffle=True`` gives each prediction its own random ranking (the
    model's list itself is left as it is).
    """

    def __init__(
        self,
        model_name: str,
        model_version: str,
        image_type_ids: list[str],
        text_type_ids: list[str],
        greeting_ids: list[str],
        greeting_ids_shuffle: bool = False,
    ) -> None:
        for name, value in (
            ("image_type_ids", image_type_ids),
            ("text_type_ids", text_type_ids),
            ("greeting_ids", greeting_ids),
        ):
            require(isinstance(value, list) and bool(value), type(self).__name__, f"`{name}` must be a non-empty list")
        super().__init__(model_name, model_version, ["user_id"])
        self.image_type_ids = image_type_ids
        self.text_type_ids = text_type_ids
        self.greeting_ids = greeting_ids
        self.greeting_ids_shuffle = greeting_ids_shuffle

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        ranking = list(self.greeting_ids)
        if self.greeting_ids_shuffle:
            random.shuffle(ranking)
        return {
            "items": [
                {
                    "id": "tw_greeting_image",
                    "name": "티월드그리팅이미지타입",
                    "type": "tw_greeting",
                    "props": {"bucket": random.choice(self.image_type_ids)},
                },
                {
                    "id": "tw_greeting_text",
                    "name": "티월드그리팅텍스트타입",
                    "type": "tw_greeting",
                    "props": {"bucket": random.choice(self.text_type_ids)},
                },
                {
                    "id": "tw_greeting_ranking",
                    "name": "티월드그리팅랭킹",
                    "type": "tw_greeting",
                    "props": {"ranking": ranking},
                },
            ]
        }
