// Icons from @navikt/aksel-icons, bundled as SVG text (no runtime fetch).
export { default as chatIcon } from "@navikt/aksel-icons/svg/ChatFill.svg";
export { default as robotIcon } from "@navikt/aksel-icons/svg/Robot.svg";
export { default as personIcon } from "@navikt/aksel-icons/svg/PersonHeadset.svg";
export { default as minusIcon } from "@navikt/aksel-icons/svg/Minus.svg";
export { default as closeIcon } from "@navikt/aksel-icons/svg/XMark.svg";
export { default as sendIcon } from "@navikt/aksel-icons/svg/PaperplaneFill.svg";
export { default as downloadIcon } from "@navikt/aksel-icons/svg/Download.svg";
export { default as restartIcon } from "@navikt/aksel-icons/svg/ArrowCirclepath.svg";
export { default as infoIcon } from "@navikt/aksel-icons/svg/InformationSquareFill.svg";
export { default as warningIcon } from "@navikt/aksel-icons/svg/ExclamationmarkTriangleFill.svg";
export { default as clockIcon } from "@navikt/aksel-icons/svg/Clock.svg";
export { default as searchIcon } from "@navikt/aksel-icons/svg/MagnifyingGlass.svg";
export { default as leaveIcon } from "@navikt/aksel-icons/svg/Leave.svg";
export { default as successIcon } from "@navikt/aksel-icons/svg/CheckmarkCircleFill.svg";
export { default as trashIcon } from "@navikt/aksel-icons/svg/Trash.svg";
export { default as thumbUpIcon } from "@navikt/aksel-icons/svg/ThumbUp.svg";
export { default as thumbDownIcon } from "@navikt/aksel-icons/svg/ThumbDown.svg";
