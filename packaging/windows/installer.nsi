; SMDR Monitor installer, built by packaging/build.sh with Debian's makensis:
;   makensis -DVERSION=0.1.0 -DSRCDIR=dist/staging -DOUTFILE=dist/x-setup.exe installer.nsi
; Installs for the current user only (no administrator rights: technicians often have none on a
; customer's laptop) into %LOCALAPPDATA%\Programs\SMDR Monitor, with a Start-menu shortcut and an
; entry in Settings > Apps for uninstalling. Uses only what NSIS ships (Modern UI 2); nothing is
; downloaded at build time.

; A 64-bit installer for a 64-bit program: on 32-bit Windows it stops with the system's own message.
Target amd64-unicode
SetCompressor /SOLID lzma
; A dictionary larger than the .exe lets the identical .com compress to almost nothing.
SetCompressorDictSize 64
RequestExecutionLevel user

!ifndef VERSION | SRCDIR | OUTFILE
  !error "define VERSION, SRCDIR and OUTFILE (see packaging/build.sh)"
!endif

!define APP "SMDR Monitor"
!define EXE "smdr-monitor.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\smdr-monitor"

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "Software\${APP}" "InstallDir"
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIFileVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP} ${VERSION} setup"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "MIT OR Apache-2.0"

!include "MUI2.nsh"
!define MUI_ICON "${SRCDIR}/smdr-monitor.ico"
!define MUI_UNICON "${SRCDIR}/smdr-monitor.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP}"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Section "${APP}"
  SetOutPath "$INSTDIR"
  File "${SRCDIR}/${EXE}"
  File "${SRCDIR}/smdr-monitor.com"
  File "${SRCDIR}/README.md"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0

  WriteRegStr HKCU "Software\${APP}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE},0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

; Removes the program only: sites.toml, the raw SMDR logs and the app log stay in the user's
; config and data folders, because they are the customer's call records.
Section "Uninstall"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\smdr-monitor.com"
  Delete "$INSTDIR\README.md"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${APP}.lnk"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\${APP}"
SectionEnd
